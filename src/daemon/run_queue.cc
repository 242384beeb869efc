// The run queue: runs wait for a slot (limits.max_concurrent_runs), each runs on a thread of its
// own, and its end updates the journal store, the schedule's state, the counters and the webhook.
#include <algorithm>
#include <filesystem>

#include "common/log.h"
#include "daemon/daemon.h"
#include "faults/fault_manager.h"

namespace chaosrun::daemon {
namespace {

std::string SummaryString(const Json& s, const char* key) {
  const Json* v = Member(s, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

size_t Daemon::QueuedLocked() const { return queue_.size(); }

size_t Daemon::RunningLocked() const {
  return static_cast<size_t>(std::count_if(runs_.begin(), runs_.end(), [](const auto& kv) {
    return kv.second->state == RunState::kRunning;
  }));
}

std::vector<std::string> Daemon::RunningLedgerIdsLocked(const std::string& except) const {
  std::vector<std::string> ids;
  for (const auto& [other_id, other] : runs_) {
    if (other_id != except && other->state == RunState::kRunning && !other->ledger_run_id.empty()) {
      ids.push_back(other->ledger_run_id);
    }
  }
  return ids;
}

Result<Json> Daemon::StartRun(const std::string& experiment, const subst::Overrides& vars) {
  JoinFinished();
  std::lock_guard lock(mu_);
  auto path = ResolveIn(config_.experiments_dir, experiment);
  if (!path) return Err(path.error());
  std::string name = std::filesystem::path(experiment).stem().string();
  if (name.empty()) name = experiment;
  return EnqueueLocked(name, *path, "", vars, config_.limits.run_deadline_seconds, "");
}

Result<Json> Daemon::EnqueueLocked(const std::string& experiment, const std::string& path,
                                   const std::string& schedule, const subst::Overrides& vars,
                                   double deadline_seconds, const std::string& webhook) {
  if (!started_ || stopping_) return Err(Status::Unavailable("the daemon is stopping"));
  if (faults::Halted(config_.state_dir)) {
    return Err(Status::Unavailable("the kill switch is set (" + HaltPath() + ")"));
  }
  if (RunningLocked() >= config_.limits.max_concurrent_runs &&
      QueuedLocked() >= config_.limits.queue_size) {
    return Err(Status::Unavailable("the run queue is full (" +
                                   std::to_string(config_.limits.queue_size) + " waiting)"));
  }
  auto entry = std::make_shared<Entry>();
  Clock::WallTime now = clock_.WallNow();
  entry->spec.id = NewRunId(now);
  while (runs_.contains(entry->spec.id) || store_->Summary(entry->spec.id)) {
    entry->spec.id = NewRunId(now);
  }
  entry->spec.schedule = schedule;
  entry->spec.experiment = experiment;
  entry->spec.path = path;
  entry->spec.vars = vars;
  entry->spec.deadline_seconds = deadline_seconds;
  entry->spec.journal_path = store_->JournalPath(entry->spec.id);
  entry->webhook = webhook;
  entry->summary = {{"id", entry->spec.id},
                    {"schedule", schedule},
                    {"experiment", experiment},
                    {"status", "queued"},
                    {"deviated", false},
                    {"exit_code", nullptr},
                    {"started", ""},
                    {"ended", ""},
                    {"queued", IsoTimestamp(now)},
                    {"faults", Json::object()},
                    {"error", ""},
                    {"ledger_run_id", ""}};
  Status st = store_->PutSummary(entry->summary);
  if (!st.ok()) return Err(st);
  runs_[entry->spec.id] = entry;
  queue_.push_back(entry->spec.id);
  log::Info("run {} of {} queued{}", entry->spec.id, experiment,
            schedule.empty() ? "" : " (schedule " + schedule + ")");
  PumpLocked();
  return entry->summary;
}

void Daemon::PumpLocked() {
  while (!stopping_ && !queue_.empty() && RunningLocked() < config_.limits.max_concurrent_runs) {
    std::string id = queue_.front();
    queue_.erase(queue_.begin());
    auto it = runs_.find(id);
    if (it == runs_.end()) continue;
    std::shared_ptr<Entry> entry = it->second;
    entry->spec.env = EnvLocked();
    entry->spec.concurrent_run_ids = RunningLedgerIdsLocked(id);
    // Asked again when the run checks the ledger: a run started after this one (in this loop or
    // later) may hold faults by then, and they are not "pending from an earlier run".
    entry->spec.concurrent_run_ids_now = [this, id] {
      std::lock_guard lock(mu_);
      return RunningLedgerIdsLocked(id);
    };
    entry->handle = executor_.Prepare(entry->spec);
    entry->ledger_run_id = entry->handle->ledger_run_id();
    entry->state = RunState::kRunning;
    entry->summary["status"] = "running";
    entry->summary["started"] = IsoTimestamp(clock_.WallNow());
    entry->summary["ledger_run_id"] = entry->ledger_run_id;
    Status st = store_->PutSummary(entry->summary);
    if (!st.ok()) log::Warn("journal store: {}", st.message());
    log::Info("run {} of {} started", id, entry->spec.experiment);
    entry->thread = std::thread([this, entry] { RunThread(entry); });
  }
}

void Daemon::RunThread(std::shared_ptr<Entry> entry) {
  session::Outcome outcome = entry->handle->Run();
  std::lock_guard lock(mu_);
  FinishLocked(*entry, outcome);
  finished_.push_back(std::move(entry->thread));
  runs_.erase(entry->spec.id);
  PumpLocked();
  idle_cv_.notify_all();
}

void Daemon::FinishLocked(Entry& entry, const session::Outcome& outcome) {
  entry.state = RunState::kDone;
  Json& s = entry.summary;
  s["status"] = outcome.status;
  s["deviated"] = outcome.deviated;
  s["exit_code"] = outcome.exit_code;
  s["ended"] = IsoTimestamp(clock_.WallNow());
  s["faults"] = {{"applied", outcome.faults_applied},
                 {"undone", outcome.faults_undone},
                 {"left", outcome.faults_left}};
  s["error"] = outcome.error;
  if (outcome.journal_path.empty()) s["journal"] = false;
  Status st = store_->PutSummary(s);
  if (!st.ok()) log::Warn("journal store: {}", st.message());
  ++counters_.runs_by_outcome[outcome.status];
  counters_.faults_applied += outcome.faults_applied;
  counters_.faults_undone += outcome.faults_undone;
  counters_.undo_failures += outcome.faults_left;
  log::Info("run {} of {} ended: {}{}{}", entry.spec.id, entry.spec.experiment, outcome.status,
            outcome.deviated ? " (deviated)" : "",
            outcome.error.empty() ? "" : ": " + outcome.error);
  if (outcome.faults_left > 0) {
    log::Error("run {}: {} fault(s) NOT undone: see `chaosrun pending`", entry.spec.id,
               outcome.faults_left);
  }
  const std::string& schedule = entry.spec.schedule;
  size_t limit = config_.limits.api_history_limit;
  if (!schedule.empty()) {
    ScheduleState& state = states_[schedule];
    state.last_outcome = outcome.status;
    state.last_run_id = entry.spec.id;
    if (outcome.status == "completed" && !outcome.deviated) state.last_success = clock_.WallNow();
    SaveStatesLocked();
    if (auto it = schedules_.find(schedule); it != schedules_.end()) {
      limit = it->second.schedule.history_limit;
    }
  }
  store_->Prune(schedule, limit);
  if (!entry.webhook.empty() && webhooks_) webhooks_->Enqueue(entry.webhook, s);
}

void Daemon::AbortQueuedLocked(Entry& entry, const std::string& reason) {
  std::erase(queue_, entry.spec.id);
  session::Outcome outcome;
  outcome.status = "aborted";
  outcome.exit_code = 1;
  outcome.error = "aborted before it started: " + reason;
  FinishLocked(entry, outcome);
  runs_.erase(entry.spec.id);
  idle_cv_.notify_all();
}

void Daemon::InterruptAllLocked(engine::InterruptKind kind, const std::string& reason) {
  for (auto& [id, entry] : runs_) {
    if (entry->state == RunState::kRunning) entry->handle->Interrupt(kind, reason);
  }
}

bool Daemon::WaitIdle(std::chrono::milliseconds cap) {
  bool idle = false;
  {
    std::unique_lock lock(mu_);
    idle = idle_cv_.wait_for(lock, cap, [this] { return runs_.empty(); });
  }
  JoinFinished();
  return idle;
}

void Daemon::JoinFinished() {
  std::vector<std::thread> done;
  {
    std::lock_guard lock(mu_);
    done.swap(finished_);
  }
  for (auto& t : done) {
    if (t.joinable()) t.join();
  }
}

Result<Json> Daemon::AbortRun(const std::string& id) {
  JoinFinished();
  std::lock_guard lock(mu_);
  auto it = runs_.find(id);
  if (it == runs_.end()) {
    if (store_ && store_->Summary(id)) {
      return Err(Status::FailedPrecondition("run \"" + id + "\" has already ended"));
    }
    return Err(Status::NotFound("no run \"" + id + "\""));
  }
  std::shared_ptr<Entry> entry = it->second;
  if (entry->state == RunState::kQueued) {
    AbortQueuedLocked(*entry, "aborted through the API");
    return entry->summary;
  }
  entry->handle->Interrupt(engine::InterruptKind::kOther, "aborted through the API");
  log::Info("run {}: abort requested", id);
  Json s = entry->summary;
  s["abort_requested"] = true;
  return s;
}

Json Daemon::ListRuns(const RunFilter& filter) {
  std::vector<Json> all;
  {
    std::lock_guard lock(mu_);
    if (!store_) return {{"runs", Json::array()}, {"total", 0}};
    all = store_->Summaries();
  }
  Json runs = Json::array();
  size_t total = 0;
  for (const auto& s : all) {
    if (!filter.schedule.empty() && SummaryString(s, "schedule") != filter.schedule) continue;
    if (!filter.outcome.empty() && SummaryString(s, "status") != filter.outcome) continue;
    if (total >= filter.offset && runs.size() < filter.limit) runs.push_back(s);
    ++total;
  }
  return {{"runs", runs}, {"total", total}};
}

Result<Json> Daemon::GetRun(const std::string& id) {
  std::optional<Json> summary;
  {
    std::lock_guard lock(mu_);
    if (auto it = runs_.find(id); it != runs_.end()) return it->second->summary;
    if (!store_) return Err(Status::NotFound("no run \"" + id + "\""));
    summary = store_->Summary(id);
  }
  if (!summary) return Err(Status::NotFound("no run \"" + id + "\""));
  auto journal = store_->Journal(id);
  if (journal) return journal;
  return *summary;  // interrupted or stopped before the runner: no journal, the summary says why
}

}  // namespace chaosrun::daemon
