#include "engine/runner.h"

#include <thread>
#include <vector>

#include "common/log.h"
#include "common/redact.h"
#include "engine/activity.h"
#include "engine/hypothesis.h"
#include "engine/safeguards.h"
#include "journal/journal.h"

namespace chaosrun::engine {

namespace {

// Run records in start order; background activities fill their slot when they finish.
class RecordList {
 public:
  size_t Reserve() {
    std::lock_guard lock(mu_);
    records_.push_back(Json::object());
    return records_.size() - 1;
  }
  void Set(size_t i, Json record) {
    std::lock_guard lock(mu_);
    records_[i] = std::move(record);
  }
  Json ToJson() const {
    std::lock_guard lock(mu_);
    Json out = Json::array();
    for (const auto& r : records_) out.push_back(r);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Json> records_;
};

// Runs a list of activities (method or rollbacks) with background support. Returns false when
// the list was cut short (interruption, an unresolvable ref (aborted), a fail-fast).
bool RunActivities(const Json& list, RunContext& ctx, Phase phase, RecordList& records,
                   bool* aborted) {
  std::vector<std::thread> background;
  bool completed = true;
  for (const Json& raw : list) {
    auto resolved = ResolveRef(raw, ctx.experiment);
    if (!resolved) {
      log::Error("{}", resolved.error().message());
      if (aborted != nullptr) *aborted = true;
      completed = false;
      break;
    }
    size_t slot = records.Reserve();
    const Json* bg = Member(*resolved, "background");
    if (bg != nullptr && bg->is_boolean() && bg->get<bool>()) {
      background.emplace_back([&ctx, &records, phase, slot, activity = *resolved] {
        Json record = RunActivity(activity, ctx);
        ctx.observer().OnActivityFinished(phase, record);
        records.Set(slot, std::move(record));
      });
      continue;
    }
    Json record = RunActivity(*resolved, ctx);
    ctx.observer().OnActivityFinished(phase, record);
    records.Set(slot, std::move(record));
    RunStatus st = ctx.status();
    if (ctx.token().cancelled() || st == RunStatus::kFailed || st == RunStatus::kAborted ||
        st == RunStatus::kInterrupted) {
      completed = false;
      break;
    }
  }
  for (auto& t : background) t.join();
  return completed;
}

Json ExperimentCopy(const Json& experiment, const RunContext& ctx) {
  Json copy = experiment;
  if (auto it = copy.find("title"); it != copy.end() && it->is_string()) {
    Json t = subst::SubstituteString(it->get<std::string>(), ctx.scope);
    *it = t.is_string() ? t : Json(PythonStr(t));
  }
  copy["dry"] = ctx.dry == DryMode::kNone ? Json(nullptr) : Json(std::string(Name(ctx.dry)));
  return copy;
}

}  // namespace

Status PrepareScope(const Json& experiment, const RunOptions& options, RunContext& ctx) {
  subst::EnvLookup env = options.env ? options.env : subst::ProcessEnv();
  const Json* cfg = Member(experiment, "configuration");
  auto config = subst::ResolveConfiguration(cfg ? *cfg : Json::object(), options.overrides, env);
  if (!config) return config.error();
  const Json* sec = Member(experiment, "secrets");
  auto secrets = subst::ResolveSecrets(sec ? *sec : Json::object(), options.overrides, env);
  if (!secrets) return secrets.error();
  Redactor::Global().AddJson(*secrets);

  Json values = config->values;
  // Dynamic configuration: run each `type: probe` entry with the configuration resolved so far.
  for (const std::string& key : config->dynamic_keys) {
    Json so_far = Json::object();
    for (auto it = values.begin(); it != values.end() && it.key() != key; ++it) {
      so_far[it.key()] = it.value();
    }
    Json activity = values[key];
    values.erase(key);
    subst::Scope scope(so_far, *secrets);
    const Json* provider = Member(activity, "provider");
    if (provider == nullptr) {
      log::Warn("dynamic configuration '{}' has no provider; skipped", key);
      continue;
    }
    Json p = SubstituteProvider(*provider, scope);
    providers::Context pctx{ctx.token()};
    auto out = ctx.dispatcher().Run(activity, p, pctx);
    if (out.kind != providers::Outcome::Kind::kSucceeded) {
      log::Warn("dynamic configuration '{}' failed: {}", key, out.error);
      continue;
    }
    std::string type = p.value("type", "");
    if (type == "process") {
      if (out.output.value("status", -1) != 0) {
        log::Warn("dynamic configuration '{}': the process exited non-zero; skipped", key);
        continue;
      }
      std::string s = out.output.value("stdout", "");
      size_t b = s.find_first_not_of(" \t\r\n\f\v");
      size_t e = s.find_last_not_of(" \t\r\n\f\v");
      values[key] = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    } else if (type == "http") {
      values[key] = out.output.value("body", Json(nullptr));
    } else {
      values[key] = out.output;
    }
  }
  ctx.scope = subst::Scope(std::move(values), std::move(*secrets));
  return Status::Ok();
}

Runner::Runner(Clock& clock, providers::Dispatcher& dispatcher, Observer& observer)
    : clock_(clock), dispatcher_(dispatcher), observer_(observer) {}

Runner::~Runner() = default;

void Runner::Interrupt(InterruptKind kind, const std::string& reason) {
  std::lock_guard lock(mu_);
  if (current_ != nullptr) {
    current_->Interrupt(kind, reason);
    observer_.OnInterrupted(reason);
  } else {
    pending_.emplace(kind, reason);
  }
}

RunResult Runner::Run(const Json& experiment, const RunOptions& options) {
  RunContext ctx(clock_, dispatcher_, observer_);
  ctx.experiment = experiment;
  ctx.dry = options.dry;
  {
    std::lock_guard lock(mu_);
    current_ = &ctx;
    if (pending_) {
      ctx.Interrupt(pending_->first, pending_->second);
      pending_.reset();
    }
  }
  struct Detach {
    Runner* r;
    ~Detach() {
      std::lock_guard lock(r->mu_);
      r->current_ = nullptr;
    }
  } detach{this};

  Strategies strategies =
      ResolveStrategies(experiment, options.hypothesis_strategy, options.rollback_strategy);
  auto start_wall = clock_.WallNow();
  auto start = clock_.Now();

  RunResult result;
  Status scope_status = PrepareScope(experiment, options, ctx);
  Json journal = journal::NewJournal(ExperimentCopy(experiment, ctx), IsoTimestamp(start_wall));
  if (!scope_status.ok()) {
    log::Error("{}", scope_status.message());
    journal["status"] = "aborted";
    journal["end"] = IsoTimestamp(clock_.WallNow());
    journal["duration"] = DurationToSeconds(clock_.Now() - start);
    result.journal = std::move(journal);
    result.status = RunStatus::kAborted;
    result.exit_code = 1;
    return result;
  }
  observer_.OnRunStarted(journal["experiment"], strategies);

  const Json* ssh_ptr = Member(experiment, "steady-state-hypothesis");
  const Json ssh = ssh_ptr ? *ssh_ptr : Json(nullptr);
  bool with_ssh = HasHypothesis(experiment);
  bool deviated = false;
  bool method_aborted = false;
  RecordList run_records;
  std::mutex during_mu;
  Json during = Json::array();

  // 1. Steady-state hypothesis, before.
  bool before_ok = true;
  if (with_ssh && RunsBefore(strategies.hypothesis) && !ctx.interrupted()) {
    observer_.OnPhaseStarted(Phase::kHypothesisBefore);
    HypothesisResult r = RunHypothesis(ssh, ctx, Phase::kHypothesisBefore);
    journal["steady_states"]["before"] = r.state;
    observer_.OnHypothesisFinished(Phase::kHypothesisBefore, r.state);
    if (!r.met && !r.interrupted) {
      // D1: a hypothesis not met before the method is a failed run; no fault is injected.
      before_ok = false;
      ctx.set_status(RunStatus::kFailed);
      observer_.OnPhaseSkipped(Phase::kMethod, "the steady state was not met before the method");
    }
  }

  // Safeguards (and the kill switch, and the run deadline) hold before the method and are
  // watched while it runs; a failure interrupts the run.
  SafeguardSpec safeguards = ParseSafeguards(experiment);
  Json safeguard_states = Json::array();
  std::mutex safeguard_mu;
  SafeguardMonitor::Check extra_check = [&]() -> std::optional<std::string> {
    if (options.faults != nullptr) {
      if (auto halt = options.faults->HaltReason()) return halt;
    }
    if (options.deadline_seconds > 0 &&
        clock_.Now() - start >= SecondsToDuration(options.deadline_seconds)) {
      return "the run exceeded its deadline of " + std::to_string(options.deadline_seconds) + " s";
    }
    return std::nullopt;
  };
  SafeguardMonitor monitor(safeguards, ctx, extra_check, [&](const Json& state) {
    std::lock_guard lock(safeguard_mu);
    safeguard_states.push_back(state);
  });
  bool watch = !safeguards.empty() || options.faults != nullptr || options.deadline_seconds > 0;
  if (before_ok && !ctx.interrupted() && watch) {
    if (auto reason = monitor.CheckOnce()) {
      log::Error("{}: the method is not run", *reason);
      ctx.Interrupt(InterruptKind::kOther, *reason);
      observer_.OnInterrupted(*reason);
    }
  }

  // 2. Method, with the continuous hypothesis alongside.
  if (before_ok && !ctx.interrupted()) {
    std::unique_ptr<ContinuousHypothesis> continuous;
    if (with_ssh && RunsDuring(strategies.hypothesis)) {
      ContinuousHypothesis::Options copts{options.hypothesis_frequency, options.fail_fast,
                                          options.fail_fast_ratio};
      continuous = std::make_unique<ContinuousHypothesis>(ssh, ctx, copts, [&](const Json& s) {
        std::lock_guard lock(during_mu);
        during.push_back(s);
      });
    }
    observer_.OnPhaseStarted(Phase::kMethod);
    if (continuous) continuous->Start();
    if (watch) monitor.Start();
    const Json* method = Member(experiment, "method");
    if (method != nullptr && method->is_array()) {
      RunActivities(*method, ctx, Phase::kMethod, run_records, &method_aborted);
    }
    if (continuous) continuous->Stop();
    monitor.Stop();
    if (method_aborted && !ctx.interrupted()) ctx.set_status(RunStatus::kAborted);

    // 3. Steady-state hypothesis, after.
    RunStatus st = ctx.status();
    if (with_ssh && RunsAfter(strategies.hypothesis) && !ctx.interrupted() && !method_aborted &&
        st != RunStatus::kAborted && st != RunStatus::kInterrupted) {
      observer_.OnPhaseStarted(Phase::kHypothesisAfter);
      HypothesisResult r = RunHypothesis(ssh, ctx, Phase::kHypothesisAfter);
      journal["steady_states"]["after"] = r.state;
      observer_.OnHypothesisFinished(Phase::kHypothesisAfter, r.state);
      if (!r.met && !r.interrupted) {
        deviated = true;
        // D2: a run already failed (fail-fast) stays failed.
        if (ctx.status() != RunStatus::kFailed) {
          ctx.set_status(r.errored ? RunStatus::kFailed : RunStatus::kCompleted);
        }
      }
    }
  }
  {
    std::lock_guard lock(during_mu);
    journal["steady_states"]["during"] = during;
  }
  journal["run"] = run_records.ToJson();

  // 4. Rollbacks.
  ctx.EnterRollbacks();
  RunStatus status_before_rollbacks = ctx.status();
  if (status_before_rollbacks == RunStatus::kNone) status_before_rollbacks = RunStatus::kCompleted;
  bool harsh = ctx.interrupt_kind() == InterruptKind::kSigusr2;
  const Json* rollbacks = Member(experiment, "rollbacks");
  RecordList rollback_records;
  if (rollbacks != nullptr && rollbacks->is_array() && !rollbacks->empty()) {
    if (ShouldPlayRollbacks(strategies.rollback, status_before_rollbacks, deviated, harsh)) {
      observer_.OnPhaseStarted(Phase::kRollbacks);
      bool rb_aborted = false;
      RunActivities(*rollbacks, ctx, Phase::kRollbacks, rollback_records, &rb_aborted);
    } else {
      observer_.OnPhaseSkipped(Phase::kRollbacks, "the rollback strategy does not apply");
    }
  }
  journal["rollbacks"] = rollback_records.ToJson();

  // 5. Undo every fault still applied, whatever the rollback strategy.
  if (options.faults != nullptr) {
    std::string reason =
        ctx.interrupted() ? "interrupted: " + ctx.interrupt_reason() : std::string("end of run");
    for (auto& rec : options.faults->TakeWatchdogRecords()) journal["rollbacks"].push_back(rec);
    for (auto& rec : options.faults->UndoAll(reason)) journal["rollbacks"].push_back(rec);
    journal["faults"] = options.faults->Summary();
  }
  {
    std::lock_guard lock(safeguard_mu);
    if (!safeguard_states.empty()) journal["safeguards"] = safeguard_states;
  }
  if (ctx.interrupted()) journal["interruption"] = ctx.interrupt_reason();

  RunStatus final_status = ctx.status();
  if (final_status == RunStatus::kNone) final_status = RunStatus::kCompleted;
  journal["status"] = std::string(Name(final_status));
  journal["deviated"] = deviated;
  journal["end"] = IsoTimestamp(clock_.WallNow());
  journal["duration"] = DurationToSeconds(clock_.Now() - start);
  observer_.OnRunFinished(journal);

  result.journal = std::move(journal);
  result.status = final_status;
  result.deviated = deviated;
  result.exit_code = RunExitCode(final_status, deviated);
  return result;
}

}  // namespace chaosrun::engine
