#include "engine/runner.h"

#include <fmt/format.h>

#include <thread>
#include <vector>

#include "common/log.h"
#include "common/no_throw.h"
#include "common/redact.h"
#include "engine/activity.h"
#include "engine/controls.h"
#include "engine/hypothesis.h"
#include "engine/safeguards.h"
#include "journal/drill.h"
#include "journal/journal.h"
#include "providers/python_bridge.h"
#include "subst/register_secrets.h"

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

// A record for an activity whose run threw (an internal error, not the activity's failure).
Json InternalErrorRecord(const Json& activity, const std::string& what) {
  Json record = {{"activity", activity}, {"output", nullptr}, {"status", "failed"}};
  record["exception"] = Json::array({"chaosrun internal error: " + what + "\n"});
  return record;
}

// Runs one activity and records it; never throws. A driver fault that was refused or not
// applied aborts the run (the drill would pass having injected nothing), in the method only:
// the experiment's rollbacks keep the reference's meaning of a failed activity.
void RunAndRecord(const Json& activity, RunContext& ctx, Phase phase, RecordList& records,
                  size_t slot) {
  Json record;
  bool ok = NoThrow("activity '" + ActivityName(activity) + "'", [&] {
    record = RunActivity(activity, ctx, nullptr, phase);
    ctx.observer().OnActivityFinished(phase, record);
  });
  if (!ok) {
    record = InternalErrorRecord(activity, "the activity could not be run");
    ctx.Abort("internal error while running activity '" + ActivityName(activity) + "'");
  } else if (phase == Phase::kMethod && record.contains("refusal")) {
    std::string why = "activity '" + ActivityName(activity) + "': the fault was not injected";
    if (const Json* r = Member(record["refusal"], "reason"); r != nullptr && r->is_string()) {
      why += " (" + r->get<std::string>() + ")";
    }
    log::Error("{}; the run is aborted", why);
    ctx.Abort(why);
  }
  records.Set(slot, std::move(record));
}

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
      try {
        background.emplace_back([&ctx, &records, phase, slot, activity = *resolved] {
          RunAndRecord(activity, ctx, phase, records, slot);
        });
      } catch (const std::system_error& e) {  // no thread to be had: run it in the foreground
        log::Warn("cannot start a background thread ({}); running it in the foreground", e.what());
        RunAndRecord(*resolved, ctx, phase, records, slot);
      }
      continue;
    }
    RunAndRecord(*resolved, ctx, phase, records, slot);
    RunStatus st = ctx.status();
    // The rollbacks of a run already failed, aborted or interrupted before them all play (that
    // status is why some of them run at all); only a new interrupt (their token) cuts them short.
    bool ended = phase == Phase::kRollbacks
                     ? false
                     : (st == RunStatus::kFailed || st == RunStatus::kAborted ||
                        st == RunStatus::kInterrupted);
    if (ctx.token().cancelled() || ended) {
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
  // Every secret value known before resolution, in case it fails (the CLI registers them at load).
  subst::RegisterDocumentSecrets(experiment, options.overrides, env, Redactor::Global());
  const Json* cfg = Member(experiment, "configuration");
  auto config = subst::ResolveConfiguration(cfg ? *cfg : Json::object(), options.overrides, env);
  if (!config) return config.error();
  const Json* sec = Member(experiment, "secrets");
  auto secrets = subst::ResolveSecrets(sec ? *sec : Json::object(), options.overrides, env);
  if (!secrets) return secrets.error();
  Redactor::Global().AddJson(*secrets);
  subst::RegisterUrlCredentials(experiment, subst::Scope(config->values, *secrets),
                                Redactor::Global());

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
    providers::Context pctx{ctx.token(), ctx.python, &scope.configuration(), &scope.secrets()};
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
  subst::RegisterUrlCredentials(experiment, ctx.scope, Redactor::Global());
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

  // One python bridge per run, started by the first python activity or control (if any). A
  // SIGUSR1/SIGUSR2 it receives (the reference's exit_gracefully()/exit_ungracefully(), e.g. a
  // tripped chaosaddons safeguard) interrupts the run as that signal would interrupt chaosrun.
  // Declared after `detach`: destroyed while this run is still the current one.
  providers::PythonSettings python_settings;
  python_settings.interpreter = options.python;
  providers::PythonBridge python(python_settings);
  python.SetInterruptHandler([this](bool harsh, const std::string& reason) {
    log::Error("{}: stopping the experiment", reason);
    Interrupt(harsh ? InterruptKind::kSigusr2 : InterruptKind::kSigusr1, reason);
  });
  ctx.python = &python;

  auto start_wall = clock_.WallNow();
  auto start = clock_.Now();

  // The run's deadline holds in every phase, the final undo included (the undos then hurry).
  CancelSource run_over;
  std::thread deadline_thread;
  if (options.deadline_seconds > 0) {
    deadline_thread = std::thread([&] {
      NoThrow("the run deadline", [&] {
        if (!clock_.SleepUntil(start + SecondsToDuration(options.deadline_seconds),
                               run_over.token())) {
          return;
        }
        std::string reason = "the run exceeded its deadline of " +
                             fmt::format("{:g}", options.deadline_seconds) + " s";
        log::Error("{}: stopping the experiment and undoing every fault", reason);
        Interrupt(InterruptKind::kOther, reason);
      });
    });
  }
  struct StopDeadline {
    CancelSource& over;
    std::thread& thread;
    ~StopDeadline() {
      over.Cancel("the run is over");
      if (thread.joinable()) thread.join();
    }
  } stop_deadline{run_over, deadline_thread};

  RunResult result;
  Json journal;
  Status scope_status = Status::Ok();
  std::unique_ptr<Controls> controls;
  bool prepared = NoThrow("preparing the run", [&] {
    scope_status = PrepareScope(experiment, options, ctx);
    journal = journal::NewJournal(ExperimentCopy(experiment, ctx), IsoTimestamp(start_wall));
    // Controls: every module is loaded and configured before anything runs.
    auto globals = LoadControlFiles(options.control_files);
    if (scope_status.ok() && !globals) scope_status = globals.error();
    if (scope_status.ok()) {
      controls = std::make_unique<Controls>(ctx, python, std::move(*globals));
      scope_status = controls->Load();
      if (scope_status.ok()) ctx.controls = controls.get();
    }
  });
  if (!prepared || !scope_status.ok()) {
    if (!scope_status.ok()) log::Error("{}", scope_status.message());
    if (!journal.is_object()) journal = journal::NewJournal(experiment, IsoTimestamp(start_wall));
    if (!scope_status.ok()) journal["abort"] = scope_status.message();
    journal["status"] = "aborted";
    journal["end"] = IsoTimestamp(clock_.WallNow());
    journal["duration"] = DurationToSeconds(clock_.Now() - start);
    result.journal = std::move(journal);
    result.status = RunStatus::kAborted;
    result.exit_code = 1;
    return result;
  }

  bool deviated = false;
  RecordList run_records;
  RecordList rollback_records;
  std::mutex during_mu;
  Json during = Json::array();
  Json safeguard_states = Json::array();
  std::mutex safeguard_mu;
  Strategies strategies;

  // 1.–3. The hypothesis before, the method, the hypothesis after. Whatever throws in them
  // (a bug) aborts the run; the rollbacks, the undo of every fault and the journal still follow.
  bool phases_ok = NoThrow("the run", [&] {
    strategies =
        ResolveStrategies(experiment, options.hypothesis_strategy, options.rollback_strategy);
    observer_.OnRunStarted(journal["experiment"], strategies);
    controls->Before(ControlLevel::kExperiment, experiment);

    const Json* ssh_ptr = Member(experiment, "steady-state-hypothesis");
    const Json ssh = ssh_ptr ? *ssh_ptr : Json(nullptr);
    bool with_ssh = HasHypothesis(experiment);
    bool method_aborted = false;

    // 1. Steady-state hypothesis, before.
    bool before_ok = true;
    if (with_ssh && RunsBefore(strategies.hypothesis) && !ctx.interrupted()) {
      observer_.OnPhaseStarted(Phase::kHypothesisBefore);
      controls->Before(ControlLevel::kHypothesis, ssh);
      HypothesisResult r = RunHypothesis(ssh, ctx, Phase::kHypothesisBefore);
      controls->After(ControlLevel::kHypothesis, ssh, r.state);
      journal["steady_states"]["before"] = r.state;
      observer_.OnHypothesisFinished(Phase::kHypothesisBefore, r.state);
      if (!r.met && !r.interrupted) {
        // D1: a hypothesis not met before the method is a failed run; no fault is injected.
        before_ok = false;
        ctx.set_status(RunStatus::kFailed);
        observer_.OnPhaseSkipped(Phase::kMethod, "the steady state was not met before the method");
      }
    }

    // Safeguards (and the kill switch) hold before the method and are watched while it runs; a
    // failure interrupts the run. (The deadline, the kill switch's own watcher and the signals
    // reach every phase through Interrupt().)
    SafeguardSpec safeguards = ParseSafeguards(experiment);
    SafeguardMonitor::Check extra_check = [&]() -> std::optional<std::string> {
      if (options.faults != nullptr) return options.faults->HaltReason();
      return std::nullopt;
    };
    SafeguardMonitor monitor(safeguards, ctx, extra_check, [&](const Json& state) {
      std::lock_guard lock(safeguard_mu);
      safeguard_states.push_back(state);
    });
    bool watch = !safeguards.empty() || options.faults != nullptr;
    if (before_ok && !ctx.interrupted() && watch) {
      if (auto reason = monitor.CheckOnce()) {
        log::Error("{}: the method is not run", *reason);
        Interrupt(InterruptKind::kOther, *reason);
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
      // Only safeguards need a thread: the kill switch has its own watcher (HaltWatch).
      if (!safeguards.empty()) monitor.Start();
      const Json* method = Member(experiment, "method");
      if (method != nullptr && method->is_array()) {
        controls->Before(ControlLevel::kMethod, experiment);
        RunActivities(*method, ctx, Phase::kMethod, run_records, &method_aborted);
        controls->After(ControlLevel::kMethod, experiment, run_records.ToJson());
      }
      if (continuous) continuous->Stop();
      monitor.Stop();
      if (method_aborted && !ctx.interrupted()) ctx.set_status(RunStatus::kAborted);

      // 3. Steady-state hypothesis, after.
      RunStatus st = ctx.status();
      if (with_ssh && RunsAfter(strategies.hypothesis) && !ctx.interrupted() && !method_aborted &&
          st != RunStatus::kAborted && st != RunStatus::kInterrupted) {
        observer_.OnPhaseStarted(Phase::kHypothesisAfter);
        controls->Before(ControlLevel::kHypothesis, ssh);
        HypothesisResult r = RunHypothesis(ssh, ctx, Phase::kHypothesisAfter);
        controls->After(ControlLevel::kHypothesis, ssh, r.state);
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
  });
  if (!phases_ok) ctx.Abort("internal error during the run (see the log)");

  // 4. Rollbacks.
  ctx.EnterRollbacks();
  RunStatus status_before_rollbacks = ctx.status();
  if (status_before_rollbacks == RunStatus::kNone) status_before_rollbacks = RunStatus::kCompleted;
  bool rollbacks_ok = NoThrow("the rollbacks", [&] {
    bool harsh = ctx.interrupt_kind() == InterruptKind::kSigusr2;
    const Json* rollbacks = Member(experiment, "rollbacks");
    if (rollbacks != nullptr && rollbacks->is_array() && !rollbacks->empty()) {
      if (ShouldPlayRollbacks(strategies.rollback, status_before_rollbacks, deviated, harsh)) {
        observer_.OnPhaseStarted(Phase::kRollbacks);
        bool rb_aborted = false;
        controls->Before(ControlLevel::kRollback, experiment);
        RunActivities(*rollbacks, ctx, Phase::kRollbacks, rollback_records, &rb_aborted);
        controls->After(ControlLevel::kRollback, experiment, rollback_records.ToJson());
      } else {
        observer_.OnPhaseSkipped(Phase::kRollbacks, "the rollback strategy does not apply");
      }
    }
  });
  if (!rollbacks_ok) ctx.Abort("internal error during the rollbacks (see the log)");

  // 5. Undo every fault still applied, whatever the rollback strategy and whatever failed
  // above. An interrupt from here on makes the undos hurry (each bounded; see FaultHooks).
  ctx.EnterUndo();
  Json undo_records = Json::array();
  Json faults_summary;
  if (options.faults != nullptr) {
    NoThrow("the undo of the faults", [&] {
      std::string reason =
          ctx.interrupted() ? "interrupted: " + ctx.interrupt_reason() : std::string("end of run");
      Json final_undos = options.faults->UndoAll(reason, ctx.undo_token());
      // After UndoAll, which waits for a watchdog turn in progress: its records are in too.
      for (auto& rec : options.faults->TakeWatchdogRecords()) undo_records.push_back(rec);
      for (auto& rec : final_undos) undo_records.push_back(rec);
    });
    NoThrow("the fault summary", [&] { faults_summary = options.faults->Summary(); });
  }

  // 6. The journal, whatever happened.
  RunStatus final_status = ctx.status();
  if (final_status == RunStatus::kNone) final_status = RunStatus::kCompleted;
  bool journal_ok = NoThrow("the journal", [&] {
    {
      std::lock_guard lock(during_mu);
      journal["steady_states"]["during"] = during;
    }
    journal["run"] = run_records.ToJson();
    journal["rollbacks"] = rollback_records.ToJson();
    for (auto& rec : undo_records) journal["rollbacks"].push_back(std::move(rec));
    if (options.faults != nullptr) journal["faults"] = faults_summary;
    {
      std::lock_guard lock(safeguard_mu);
      if (!safeguard_states.empty()) journal["safeguards"] = safeguard_states;
    }
    if (ctx.interrupted()) journal["interruption"] = ctx.interrupt_reason();
    if (std::string why = ctx.abort_reason(); !why.empty()) journal["abort"] = why;
    journal["status"] = std::string(Name(final_status));
    journal["deviated"] = deviated;
    journal["end"] = IsoTimestamp(clock_.WallNow());
    journal["duration"] = DurationToSeconds(clock_.Now() - start);
    // A fire drill's times (probes with a `measure` argument), from the finished journal.
    if (Json drill = journal::DrillTimes(journal); !drill.is_null()) journal["drill"] = drill;
  });
  if (!journal_ok) {
    // The smallest journal that still says what happened.
    final_status = RunStatus::kAborted;
    journal = {{"chaoslib-version", nullptr},
               {"status", "aborted"},
               {"deviated", deviated},
               {"start", IsoTimestamp(start_wall)},
               {"end", IsoTimestamp(clock_.WallNow())},
               {"abort", "internal error while building the journal (see the log)"}};
  }
  NoThrow("the controls' end", [&] {
    controls->After(ControlLevel::kExperiment, experiment, journal);
    controls->Cleanup();
  });
  NoThrow("the observer", [&] { observer_.OnRunFinished(journal); });

  result.journal = std::move(journal);
  result.status = final_status;
  result.deviated = deviated;
  result.exit_code = RunExitCode(final_status, deviated);
  return result;
}

}  // namespace chaosrun::engine
