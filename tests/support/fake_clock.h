// FakeClock: time that only moves when told to, so no test waits for real time.
//
// Two modes. Auto-advance (default): SleepUntil jumps the clock to the deadline and returns at
// once — pauses and frequencies cost nothing. Manual: SleepUntil blocks until Advance() moves the
// clock past the deadline or the token is cancelled — for tests that interleave threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/clock.h"

namespace chaosrun::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(bool auto_advance = true) : auto_advance_(auto_advance) {}

  SteadyTime Now() const override;
  WallTime WallNow() const override;
  bool SleepUntil(SteadyTime deadline, const CancelToken& cancel) override;

  void Advance(Duration d);
  // Total time all SleepUntil calls asked for (auto mode): lets tests check pauses were honoured.
  Duration slept() const;
  int sleepers() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool auto_advance_;
  SteadyTime now_{std::chrono::hours(1)};
  WallTime wall_base_{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
  Duration slept_{};
  int sleepers_ = 0;
};

}  // namespace chaosrun::testing
