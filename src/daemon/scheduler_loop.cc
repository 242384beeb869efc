// The scheduling thread: fires each schedule at scheduler::NextFire on the injected clock,
// applies its concurrency rule, counts what it skips and what was missed, and pings systemd's
// watchdog (so a hung loop gets the daemon restarted).
#include <algorithm>

#include "common/log.h"
#include "daemon/daemon.h"
#include "faults/fault_manager.h"

namespace chaosrun::daemon {
namespace {

constexpr auto kMaxSleep = std::chrono::seconds(60);

std::string TimeText(const std::optional<Clock::WallTime>& t) {
  return t ? IsoTimestamp(*t) : std::string();
}

Json IsoJson(const std::optional<Clock::WallTime>& t) {
  return t ? Json(IsoTimestamp(*t)) : Json(nullptr);
}

// Records that the schedule's fires up to `t` are accounted for (never moves back).
void AdvanceCountedUntil(ScheduleState& state, Clock::WallTime t) {
  if (!state.missed_counted_until || *state.missed_counted_until < t) {
    state.missed_counted_until = t;
  }
}

}  // namespace

bool Daemon::PausedLocked(const scheduler::Schedule& s) const {
  auto it = states_.find(s.name);
  if (it != states_.end() && it->second.paused) return *it->second.paused;
  return s.paused;
}

void Daemon::SaveStatesLocked() {
  if (states_path_.empty()) return;
  Status st = SaveScheduleStates(states_path_, states_);
  if (!st.ok()) log::Warn("schedule state: {}", st.message());
}

void Daemon::InstallSchedulesLocked(const std::vector<scheduler::Schedule>& schedules,
                                    Clock::WallTime now) {
  std::map<std::string, ScheduleRuntime> next;
  for (const auto& s : schedules) {
    ScheduleRuntime rt{s, std::nullopt};
    auto old = schedules_.find(s.name);
    if (old != schedules_.end() && old->second.schedule.raw == s.raw) {
      rt.next_fire = old->second.next_fire;  // unchanged: keep its plan
    } else {
      rt.next_fire = scheduler::NextFire(s, now);
      if (old != schedules_.end()) log::Info("schedule {} changed", s.name);
    }
    next.emplace(s.name, std::move(rt));
  }
  for (const auto& [name, rt] : schedules_) {
    if (!next.contains(name)) log::Info("schedule {} removed (its runs in flight go on)", name);
  }
  schedules_ = std::move(next);
}

void Daemon::CountMissedLocked(Clock::WallTime now) {
  for (const auto& [name, rt] : schedules_) {
    ScheduleState& state = states_[name];
    std::optional<Clock::WallTime> from = state.last_fire;
    if (state.missed_counted_until && (!from || *from < *state.missed_counted_until)) {
      from = state.missed_counted_until;
    }
    const bool count = from && *from < now && !PausedLocked(rt.schedule);
    AdvanceCountedUntil(state, now);  // also when paused: a paused period is never missed
    if (!count) continue;
    size_t missed = scheduler::CountMissed(rt.schedule, *from, now);
    if (missed == 0) continue;
    state.missed_fires += missed;
    log::Warn("schedule {}: {} fire(s) missed while the daemon was down (not replayed)", name,
              missed);
  }
}

std::optional<Clock::WallTime> Daemon::Tick(Clock::WallTime now) {
  JoinFinished();
  std::lock_guard lock(mu_);
  if (!started_ || stopping_) return std::nullopt;
  std::optional<Clock::WallTime> earliest;
  bool changed = false;
  for (auto& [name, rt] : schedules_) {
    if (!rt.next_fire) rt.next_fire = scheduler::NextFire(rt.schedule, now);
    if (rt.next_fire && *rt.next_fire <= now) {
      Clock::WallTime planned = *rt.next_fire;
      if (!PausedLocked(rt.schedule)) {
        Fire(rt, planned, now);
        // More than one fire due (the loop stalled, the clock jumped): one run, the rest missed.
        size_t stalled = scheduler::CountMissed(rt.schedule, planned, now);
        if (stalled > 0) {
          states_[name].missed_fires += stalled;
          log::Warn("schedule {}: {} fire(s) missed (late by {:.1f} s)", name, stalled,
                    DurationToSeconds(std::chrono::duration_cast<Clock::Duration>(now - planned)));
        }
      }
      // Fired or paused, the fires up to now are accounted for (a restart does not count them).
      AdvanceCountedUntil(states_[name], now);
      changed = true;
      rt.next_fire = scheduler::NextFire(rt.schedule, now);
    }
    if (rt.next_fire && (!earliest || *rt.next_fire < *earliest)) earliest = rt.next_fire;
  }
  if (changed) SaveStatesLocked();
  return earliest;
}

void Daemon::Fire(ScheduleRuntime& rt, Clock::WallTime planned, Clock::WallTime now) {
  const scheduler::Schedule& s = rt.schedule;
  ScheduleState& state = states_[s.name];
  state.last_fire = planned;
  state.last_lag_seconds =
      std::max(0.0, DurationToSeconds(std::chrono::duration_cast<Clock::Duration>(now - planned)));
  auto skip = [&](const char* outcome, const std::string& why) {
    ++state.skipped;
    state.last_outcome = outcome;
    log::Warn("schedule {}: fire skipped: {}", s.name, why);
  };
  if (faults::Halted(config_.state_dir)) return skip("halted", "the kill switch is set");
  std::vector<std::shared_ptr<Entry>> active;
  for (const auto& [id, e] : runs_) {
    if (e->spec.schedule == s.name && e->state != RunState::kDone) active.push_back(e);
  }
  if (!active.empty() && s.concurrency == scheduler::Concurrency::kForbid) {
    return skip("skipped", "its previous run " + active.front()->spec.id + " is still going");
  }
  if (s.concurrency == scheduler::Concurrency::kReplace) {
    for (const auto& e : active) {
      std::string why = "replaced by a new fire of schedule " + s.name;
      if (e->state == RunState::kQueued) {
        AbortQueuedLocked(*e, why);
      } else {
        e->handle->Interrupt(engine::InterruptKind::kOther, why);
      }
    }
  }
  auto path = ResolveIn(config_.experiments_dir, s.experiment);
  if (!path) return skip("not-started", path.error().message());
  double deadline =
      s.deadline_seconds > 0 ? s.deadline_seconds : config_.limits.run_deadline_seconds;
  auto run = EnqueueLocked(s.experiment, *path, s.name, s.vars, deadline, s.webhook);
  if (!run) return skip("not-started", run.error().message());
  ++state.fires;
  state.last_run_id = (*run)["id"].get<std::string>();
}

Json Daemon::ScheduleJsonLocked(const ScheduleRuntime& rt) const {
  const scheduler::Schedule& s = rt.schedule;
  ScheduleState st;
  if (auto it = states_.find(s.name); it != states_.end()) st = it->second;
  size_t running = static_cast<size_t>(std::count_if(
      runs_.begin(), runs_.end(), [&](auto& kv) { return kv.second->spec.schedule == s.name; }));
  return {{"name", s.name},
          {"experiment", s.experiment},
          {"cron", s.cron},
          {"timezone", s.timezone},
          {"description", s.description},
          {"concurrency", scheduler::ConcurrencyName(s.concurrency)},
          {"history_limit", s.history_limit},
          {"jitter_seconds", s.jitter_seconds},
          {"deadline_seconds", s.deadline_seconds},
          {"webhook", !s.webhook.empty()},
          {"paused", PausedLocked(s)},
          {"next_fire", PausedLocked(s) ? Json(nullptr) : IsoJson(rt.next_fire)},
          {"last_fire", IsoJson(st.last_fire)},
          {"last_outcome", st.last_outcome},
          {"last_run_id", st.last_run_id},
          {"last_success", IsoJson(st.last_success)},
          {"fires", st.fires},
          {"skipped_fires", st.skipped},
          {"missed_fires", st.missed_fires},
          {"runs_active", running}};
}

Json Daemon::ListSchedules() {
  std::lock_guard lock(mu_);
  Json out = Json::array();
  for (const auto& [name, rt] : schedules_) out.push_back(ScheduleJsonLocked(rt));
  return out;
}

Result<Json> Daemon::SetSchedulePaused(const std::string& name, bool paused) {
  Json out;
  {
    std::lock_guard lock(mu_);
    auto it = schedules_.find(name);
    if (it == schedules_.end()) return Err(Status::NotFound("no schedule \"" + name + "\""));
    states_[name].paused = paused;
    AdvanceCountedUntil(states_[name], clock_.WallNow());
    if (!paused) it->second.next_fire = scheduler::NextFire(it->second.schedule, clock_.WallNow());
    SaveStatesLocked();
    log::Info("schedule {} {}", name, paused ? "paused" : "resumed");
    out = ScheduleJsonLocked(it->second);
  }
  WakeScheduler();
  return out;
}

std::string Daemon::StatusLine() {
  std::lock_guard lock(mu_);
  std::string line = std::to_string(RunningLocked()) + " run(s) in progress, " +
                     std::to_string(QueuedLocked()) + " queued";
  const ScheduleRuntime* first = nullptr;
  for (const auto& [name, rt] : schedules_) {
    if (PausedLocked(rt.schedule) || !rt.next_fire) continue;
    if (first == nullptr || *rt.next_fire < *first->next_fire) first = &rt;
  }
  if (first != nullptr) {
    line += "; next fire " + first->schedule.name + " at " + TimeText(first->next_fire);
  }
  if (stopping_) line = "stopping: " + line;
  return line;
}

void Daemon::WakeScheduler() {
  std::lock_guard lock(wake_mu_);
  wake_->Cancel("wake");
}

void Daemon::SchedulerLoop() {
  std::optional<std::chrono::microseconds> watchdog;
  if (notifier_ != nullptr) watchdog = notifier_->watchdog_interval();
  while (!stop_scheduler_.cancelled()) {
    auto next = Tick(clock_.WallNow());
    if (notifier_ != nullptr) {
      notifier_->Watchdog();  // from this thread: a hung scheduler stops the pings
      notifier_->Status(StatusLine());
    }
    Clock::Duration wait = kMaxSleep;
    if (next) {
      auto until = std::chrono::duration_cast<Clock::Duration>(*next - clock_.WallNow());
      wait = std::clamp(until, Clock::Duration::zero(), wait);
    }
    if (watchdog) wait = std::min<Clock::Duration>(wait, *watchdog);
    std::shared_ptr<CancelSource> wake;
    {
      std::lock_guard lock(wake_mu_);
      wake = wake_;
    }
    clock_.SleepUntil(clock_.Now() + wait, wake->token());
    std::lock_guard lock(wake_mu_);
    if (wake_->cancelled()) wake_ = std::make_shared<CancelSource>();
  }
}

}  // namespace chaosrun::daemon
