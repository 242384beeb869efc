#include "daemon/daemon.h"

#include <set>

#include "common/log.h"
#include "faults/fault_manager.h"
#include "faults/halt_file.h"
#include "ledger/inspect.h"
#include "ledger/state_dir.h"
#include "proxy/engine.h"
#include "proxy_api/populate.h"

namespace chaosrun::daemon {
namespace {

WebhookOptions WebhookOptionsFrom(const DaemonConfig& c) {
  WebhookOptions o;
  o.timeout_seconds = c.webhooks.timeout_seconds;
  o.attempts = c.webhooks.attempts;
  o.backoff_seconds = c.webhooks.backoff_seconds;
  return o;
}

std::set<std::string> ProxyNames(const Json& proxies) {
  std::set<std::string> names;
  if (!proxies.is_array()) return names;
  for (const auto& p : proxies) {
    if (const Json* n = Member(p, "name"); n != nullptr && n->is_string()) {
      names.insert(n->get<std::string>());
    }
  }
  return names;
}

}  // namespace

Daemon::Daemon(DaemonConfig config, RunExecutor& executor, Clock& clock, Notifier* notifier)
    : executor_(executor),
      clock_(clock),
      notifier_(notifier),
      engine_(std::make_unique<proxy::Engine>()),
      config_(std::move(config)),
      wake_(std::make_shared<CancelSource>()) {
  if (config_.state_dir.empty()) {
    auto dir = ledger::DefaultStateDir();
    if (dir) config_.state_dir = *dir;
  }
}

Daemon::~Daemon() { Shutdown("chaosrund is stopping"); }

std::string Daemon::HaltPath() const { return faults::HaltFilePath(config_.state_dir); }

session::Environment Daemon::EnvLocked() const {
  session::Environment env;
  env.driver_dirs = config_.driver_dirs;
  env.installed_drivers = config_.installed_drivers;
  env.policy_path = config_.policy_path;
  env.state_dir = config_.state_dir;
  return env;
}

Status Daemon::RecoverAndOpenStore() {
  if (config_.state_dir.empty()) {
    return Status::InvalidArgument("state_dir: no state directory (set state_dir)");
  }
  auto dir = ledger::OpenStateDir(config_.state_dir, /*create=*/true);
  if (!dir) return dir.error();
  // 1. The undo ledger, before anything else.
  auto recovered = executor_.Recover(EnvLocked());
  if (!recovered) return recovered.error();
  for (const auto& line : recovered->lines) log::Info("recover: {}", line);
  if (recovered->undone + recovered->failed + recovered->refused > 0) {
    log::Warn("recover: {} undone, {} failed, {} refused", recovered->undone, recovered->failed,
              recovered->refused);
  }
  counters_.undo_failures += static_cast<uint64_t>(recovered->failed);
  // 2. The journal store: runs a dead daemon left unfinished are interrupted.
  store_ = std::make_unique<JournalStore>(config_.state_dir + "/runs");
  Status st = store_->Open();
  if (!st.ok()) return st;
  interrupted_ = store_->MarkUnfinishedInterrupted();
  std::set<std::string> known;
  for (const auto& s : store_->Summaries()) {
    if (const Json* l = Member(s, "ledger_run_id"); l != nullptr && l->is_string()) {
      known.insert(l->get<std::string>());
    }
  }
  for (const auto& ledger_id : recovered->interrupted_runs) {
    if (known.contains(ledger_id)) continue;  // marked above
    Json s = {{"id", NewRunId(clock_.WallNow())},
              {"schedule", ""},
              {"experiment", ""},
              {"status", "interrupted"},
              {"deviated", false},
              {"exit_code", nullptr},
              {"started", ""},
              {"ended", ""},
              {"faults", Json::object()},
              {"error", "found with faults pending at start (ledger run " + ledger_id +
                            "); recovery undid them"},
              {"ledger_run_id", ledger_id}};
    Status put = store_->PutSummary(s);
    if (!put.ok()) log::Warn("journal store: {}", put.message());
    interrupted_.push_back(s["id"].get<std::string>());
  }
  counters_.interrupted_runs_found += interrupted_.size();
  for (const auto& id : interrupted_) log::Warn("run {} was interrupted (daemon down)", id);
  return Status::Ok();
}

void Daemon::ApplyProxies(const Json& proxies, const Json& previous) {
  for (const auto& name : ProxyNames(previous)) {
    if (!ProxyNames(proxies).contains(name)) {
      Status st = engine_->DeleteProxy(name);
      if (!st.ok() && st.code() != Code::kNotFound) log::Warn("proxy {}: {}", name, st.message());
    }
  }
  if (proxies.empty()) return;
  auto result = proxy_api::Populate(*engine_, DumpCompact(proxies));
  if (!result.ok()) log::Error("proxies: {}", result.error);
}

Status Daemon::Start(bool scheduler_thread) {
  std::lock_guard lock(mu_);
  if (started_) return Status::FailedPrecondition("the daemon is already started");
  Status st = RecoverAndOpenStore();
  if (!st.ok()) return st;
  states_path_ = config_.state_dir + "/schedules.json";
  states_ = LoadScheduleStates(states_path_);
  Clock::WallTime now = clock_.WallNow();
  InstallSchedulesLocked(config_.schedules, now);
  CountMissedLocked(now);
  SaveStatesLocked();
  ApplyProxies(config_.proxies, Json::array());
  webhooks_ = std::make_unique<WebhookSender>(WebhookOptionsFrom(config_), clock_);
  started_ = true;
  if (scheduler_thread) scheduler_ = std::thread([this] { SchedulerLoop(); });
  log::Info("chaosrund started: {} schedule(s), state in {}", schedules_.size(), config_.state_dir);
  return Status::Ok();
}

Status Daemon::Reload(DaemonConfig next) {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return Status::Unavailable("the daemon is not running");
    if (next.listen_host != config_.listen_host || next.listen_port != config_.listen_port) {
      log::Warn("reload: listen changed: it takes effect at the next restart");
    }
    if (next.token_file != config_.token_file) {
      log::Warn("reload: token_file changed: it takes effect at the next restart");
    }
    if (!next.state_dir.empty() && next.state_dir != config_.state_dir) {
      log::Warn("reload: state_dir changed: it takes effect at the next restart");
    }
    next.listen_host = config_.listen_host;
    next.listen_port = config_.listen_port;
    next.token_file = config_.token_file;
    next.state_dir = config_.state_dir;
    next.allow_remote = config_.allow_remote;
    Json previous = config_.proxies;
    config_ = std::move(next);
    InstallSchedulesLocked(config_.schedules, clock_.WallNow());
    SaveStatesLocked();
    ApplyProxies(config_.proxies, previous);
    webhooks_->SetOptions(WebhookOptionsFrom(config_));
    ++counters_.reloads_total;
    PumpLocked();
    log::Info("configuration reloaded: {} schedule(s)", schedules_.size());
  }
  WakeScheduler();
  return Status::Ok();
}

void Daemon::ReloadRefused(const std::string& problems) {
  {
    std::lock_guard lock(mu_);
    ++counters_.reload_failures;
  }
  log::Error("reload refused, the running configuration stays:\n{}", problems);
}

void Daemon::Shutdown(const std::string& reason) {
  {
    std::unique_lock lock(mu_);
    stopping_ = true;  // a second call waits like the first
    for (const auto& id : std::vector<std::string>(queue_)) {
      if (auto it = runs_.find(id); it != runs_.end()) AbortQueuedLocked(*it->second, reason);
    }
    InterruptAllLocked(engine::InterruptKind::kSigterm, reason);
  }
  stop_scheduler_.Cancel(reason);
  WakeScheduler();
  if (scheduler_.joinable()) scheduler_.join();
  {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return runs_.empty(); });
  }
  JoinFinished();
  // The last runs' notifications: a bounded time to go out (docs/daemon.md "Webhooks").
  if (webhooks_) webhooks_->Drain(config().webhooks.timeout_seconds);
}

DaemonConfig Daemon::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

std::vector<std::string> Daemon::interrupted_runs() const {
  std::lock_guard lock(mu_);
  return interrupted_;
}

Status Daemon::SetHalt(bool on, const std::string& reason) {
  std::string state_dir = config().state_dir;
  if (!on) {
    auto removed = faults::ClearHalt(state_dir);
    if (!removed) return removed.error();
    log::Info("kill switch cleared");
    WakeScheduler();
    return Status::Ok();
  }
  // The same file as `chaosrun halt` writes: every session's HaltWatch sees it.
  std::string text = reason.empty() ? std::string("halted through chaosrund") : reason;
  if (Status st = faults::SetHalt(state_dir, text); !st.ok()) return st;
  log::Warn("kill switch set: {}", text);
  std::lock_guard lock(mu_);
  for (const auto& id : std::vector<std::string>(queue_)) {
    if (auto it = runs_.find(id); it != runs_.end()) {
      AbortQueuedLocked(*it->second, "halted: " + reason);
    }
  }
  InterruptAllLocked(engine::InterruptKind::kOther, "halted: " + reason);
  return Status::Ok();
}

bool Daemon::Halted() { return faults::Halted(config().state_dir); }

std::string Daemon::Metrics() {
  MetricsSnapshot m;
  std::string state_dir;
  {
    std::lock_guard lock(mu_);
    m = counters_;
    m.runs_in_progress = RunningLocked();
    m.runs_queued = QueuedLocked();
    for (const auto& [name, rt] : schedules_) {
      ScheduleMetrics s;
      auto it = states_.find(name);
      if (it != states_.end()) {
        s.lag_seconds = it->second.last_lag_seconds;
        s.missed_fires = it->second.missed_fires;
        s.skipped_fires = it->second.skipped;
        if (it->second.last_success) s.last_success = EpochSeconds(*it->second.last_success);
      }
      m.schedules[name] = s;
    }
    state_dir = config_.state_dir;
  }
  if (webhooks_) m.webhook_failures = webhooks_->failures();
  auto pending = ledger::ListPending(state_dir);
  m.ledger_pending = pending ? pending->size() : 0;
  m.halted = faults::Halted(state_dir);
  return RenderMetrics(m) + engine_->PrometheusText();
}

Json Daemon::Health() {
  bool halted = Halted();
  std::lock_guard lock(mu_);
  return {{"status", stopping_ ? "stopping" : "ok"},
          {"runs_in_progress", RunningLocked()},
          {"runs_queued", QueuedLocked()},
          {"schedules", schedules_.size()},
          {"halted", halted}};
}

proxy::Engine& Daemon::ProxyEngine() { return *engine_; }

}  // namespace chaosrun::daemon
