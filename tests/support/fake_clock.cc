#include "support/fake_clock.h"

namespace chaosrun::testing {

Clock::SteadyTime FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

Clock::WallTime FakeClock::WallNow() const {
  std::lock_guard lock(mu_);
  return wall_base_ +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(now_.time_since_epoch());
}

bool FakeClock::SleepUntil(SteadyTime deadline, const CancelToken& cancel) {
  std::unique_lock lock(mu_);
  if (cancel.cancelled()) return false;
  if (auto_advance_) {
    if (deadline > now_) {
      slept_ += deadline - now_;
      now_ = deadline;
    }
    return true;
  }
  ++sleepers_;
  cv_.notify_all();
  while (now_ < deadline) {
    if (cancel.cancelled()) {
      --sleepers_;
      return false;
    }
    // Wake periodically (real time) only to notice cancellation; time itself is fake.
    cv_.wait_for(lock, std::chrono::milliseconds(5));
  }
  --sleepers_;
  return true;
}

void FakeClock::Advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    now_ += d;
  }
  cv_.notify_all();
}

Clock::Duration FakeClock::slept() const {
  std::lock_guard lock(mu_);
  return slept_;
}

int FakeClock::sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

}  // namespace chaosrun::testing
