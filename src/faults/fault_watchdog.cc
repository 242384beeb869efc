// The fault manager's watchdog (faults/fault_manager.h): one thread, started with the first
// fault, that undoes a fault when its maximum duration passes and retries a failed undo with a
// backoff; its records go into the journal.
#include <system_error>

#include "common/log.h"
#include "faults/fault_manager.h"

namespace chaosrun::faults {

Status FaultManager::EnsureWatchdog() {
  // Started with the first fault: a run that injects none needs no thread for it.
  std::lock_guard lock(watchdog_mu_);
  if (watchdog_.joinable()) return Status::Ok();
  try {
    watchdog_ = std::thread([this] { WatchdogLoop(); });
  } catch (const std::system_error& e) {
    return Status::IoError(std::string("cannot start the undo watchdog: ") + e.what());
  }
  return Status::Ok();
}

void FaultManager::WatchdogLoop() {
  while (!stop_watchdog_.cancelled()) {
    CancelToken wake;
    {
      std::lock_guard lock(wake_mu_);
      if (wake_->cancelled()) wake_ = std::make_unique<CancelSource>();
      wake = wake_->token();
    }
    try {
      WatchdogTurn(wake);
    } catch (const std::exception& e) {
      log::Error("watchdog: {}", e.what());  // the next turn tries again
    }
  }
}

void FaultManager::WatchdogTurn(const CancelToken& wake) {
  // When the next fault is due: its deadline, or after a failed undo its next retry.
  auto due_at = [](const Fault& f) {
    return f.next_retry && *f.next_retry > *f.deadline ? *f.next_retry : *f.deadline;
  };
  std::optional<Clock::SteadyTime> next;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : faults_) {
      if (f->applied && !f->undone && f->deadline && (!next || due_at(*f) < *next)) {
        next = due_at(*f);
      }
    }
  }
  if (!next) {
    clock_.SleepUntil(clock_.Now() + std::chrono::hours(24 * 365), wake);
    return;
  }
  if (!clock_.SleepUntil(*next, wake)) return;  // woken: deadlines changed, or shutdown
  std::lock_guard undo_lock(undo_mu_);
  std::vector<Fault*> due;
  {
    std::lock_guard lock(mu_);
    for (auto& f : faults_) {
      if (f->applied && !f->undone && f->deadline && due_at(*f) <= clock_.Now()) {
        due.push_back(f.get());
      }
    }
  }
  const std::string reason = "watchdog: maximum duration reached";
  for (Fault* f : due) {
    if (f->watchdog_attempts == 0) {
      // The fault's own duration ending is the plan, not a problem: not a warning.
      log::Info("  {} reached its maximum duration; undoing it", f->shown);
      log::Debug("watchdog: fault {} ({}) due", f->id, f->activity);
    }
    Json rec = UndoOne(*f, reason, watchdog_hurry_.token());
    {
      std::lock_guard lock(mu_);
      rec["attempts"] = ++f->watchdog_attempts;
      if (!f->undone) {
        auto first = SecondsToDuration(kFirstRetrySeconds);
        auto most = SecondsToDuration(kMaxRetrySeconds);
        f->backoff = f->backoff < first ? first : std::min(f->backoff * 2, most);
        f->next_retry = clock_.Now() + f->backoff;
      }
    }
    auto it = std::find_if(watchdog_records_.begin(), watchdog_records_.end(),
                           [&](const auto& p) { return p.first == f->id; });
    if (it != watchdog_records_.end()) {
      it->second = std::move(rec);
    } else {
      watchdog_records_.emplace_back(f->id, std::move(rec));
    }
  }
}

Json FaultManager::TakeWatchdogRecords() {
  std::lock_guard lock(undo_mu_);
  Json out = Json::array();
  for (auto& [id, rec] : watchdog_records_) out.push_back(std::move(rec));
  watchdog_records_.clear();
  return out;
}

}  // namespace chaosrun::faults
