#include "session/session.h"

#include <mutex>
#include <utility>

#include "common/log.h"
#include "common/no_throw.h"
#include "common/redact.h"
#include "faults/dispatcher.h"
#include "faults/fault_manager.h"
#include "faults/halt_watch.h"
#include "faults/recover.h"
#include "journal/journal.h"
#include "ledger/ledger.h"
#include "session/environment.h"
#include "session/load.h"
#include "session/run_notifications.h"
#include "session/settings.h"
#include "subst/register_secrets.h"

namespace chaosrun::session {

namespace {

// The exit codes of `chaosrun run` (cli.h, docs/cli.md).
constexpr int kRunOk = 0;
constexpr int kRunFailed = 1;
constexpr int kRunUsage = 2;
constexpr int kRunInternal = 70;

// The engine's view of the fault lifecycle.
class RunFaultHooks final : public engine::FaultHooks {
 public:
  RunFaultHooks(faults::FaultManager& fm, std::string state_dir)
      : fm_(fm), state_dir_(std::move(state_dir)) {}
  Json UndoAll(const std::string& reason, const CancelToken& hurry) override {
    return fm_.UndoAll(reason, hurry);
  }
  Json TakeWatchdogRecords() override { return fm_.TakeWatchdogRecords(); }
  Json Summary() override { return fm_.Summary(); }
  std::optional<std::string> HaltReason() override {
    if (!faults::Halted(state_dir_)) return std::nullopt;
    return "the kill switch is set (" + faults::HaltFilePath(state_dir_) + ")";
  }

 private:
  faults::FaultManager& fm_;
  std::string state_dir_;
};

class SilentObserver final : public engine::Observer {};

// Logs a run's diagnostics (warnings and errors); returns the errors, one line each.
std::vector<std::string> LogDiagnostics(const std::vector<validate::Diagnostic>& diags) {
  std::vector<std::string> errors;
  for (const auto& d : diags) {
    if (d.warning) {
      log::Warn("{}", d.ToString());
      continue;
    }
    log::Error("{}", d.ToString());
    errors.push_back(Redactor::Global().Redact(d.ToString()));
  }
  return errors;
}

// The fault counts of the Outcome, from FaultManager::Summary().
void CountFaults(const faults::FaultManager& fm, Outcome& out) {
  out.faults_applied = 0;
  out.faults_undone = 0;
  for (const auto& f : fm.Summary()) {
    if (!f.value("applied", false)) continue;
    ++out.faults_applied;
    if (f.value("undone", false)) ++out.faults_undone;
  }
  out.faults_left = fm.applied_count();
}

}  // namespace

struct Session::Impl {
  explicit Impl(RunRequest r) : request(std::move(r)), run_id(ledger::NewFaultId()) {}

  void Pipeline(Outcome& out);
  void RunWithFaults(Outcome& out, const Json& doc, engine::RunOptions& ro,
                     plugin::Registry& registry, guard::Guard& guard, const std::string& state_dir);
  void Interrupt(engine::InterruptKind kind, const std::string& reason);
  // The runner exists (it gets an interrupt that came first) / is gone (later ones are dropped).
  void Attach(engine::Runner& runner);
  void Detach();

  RunRequest request;
  const std::string run_id;
  std::unique_ptr<RunNotifications> notifications;  // the settings' channels, if any
  std::mutex mu;  // guards notifications (the pointer), runner, pending, interrupts, draining, done
  engine::Runner* runner = nullptr;
  std::optional<std::pair<engine::InterruptKind, std::string>> pending;
  CancelSource interrupted;  // every interrupt: cuts the experiment's download (a URL source)
  int interrupts = 0;
  bool draining = false;  // the end's notifications are going out
  bool done = false;
};

void Session::Impl::Interrupt(engine::InterruptKind kind, const std::string& reason) {
  std::lock_guard lock(mu);
  interrupted.Cancel(reason);
  // The wait for the end's notifications: cut by an interrupt during it, or by a second one (the
  // first one stopped the run).
  ++interrupts;
  if (notifications && (draining || interrupts > 1)) notifications->Interrupt(reason);
  if (done) return;
  if (runner != nullptr) {
    runner->Interrupt(kind, reason);
  } else {
    pending.emplace(kind, reason);
  }
}

void Session::Impl::Attach(engine::Runner& r) {
  std::lock_guard lock(mu);
  runner = &r;
  // The runner keeps it until its Run() starts: the run then ends at once.
  if (pending) r.Interrupt(pending->first, pending->second);
  pending.reset();
}

void Session::Impl::Detach() {
  std::lock_guard lock(mu);
  runner = nullptr;
  done = true;
}

void Session::Impl::Pipeline(Outcome& out) {
  auto fail = [&out](const std::string& message) {
    log::Error("{}", message);
    out.error = Redactor::Global().Redact(message);
    out.exit_code = kRunFailed;
  };
  engine::RunOptions ro = request.options;
  if (Status st = BuildOverrides(request.var_files, request.vars, ro.overrides); !st.ok()) {
    // A usage error: the front end reports it (the CLI as "Error: ..." on stderr).
    out.error = st.message();
    out.usage_error = true;
    out.exit_code = kRunUsage;
    return;
  }
  MergeOverrides(request.extra_overrides, ro.overrides);
  // --settings FILE (docs/settings.md): a bad file is a usage error, as a bad --var-file is.
  auto loaded_settings = LoadSettingsFlag(request.settings_path);
  if (!loaded_settings) {
    out.error = loaded_settings.error().message();
    out.usage_error = true;
    out.exit_code = kRunUsage;
    return;
  }
  const Settings& settings = *loaded_settings;

  // The journal must be writable before anything runs: a run whose record cannot be kept must
  // not change the world.
  if (Status st = journal::CheckWritable(request.journal_path); !st.ok()) {
    return fail(st.message() + "; nothing was run");
  }
  SourceOptions source_options;
  source_options.verify_tls = request.verify_tls;
  source_options.auths = settings.auths;
  source_options.cancel = interrupted.token();  // Ctrl-C cuts a download at once
  Result<Json> doc = request.document ? Result<Json>(*request.document)
                                      : LoadSource(request.source, source_options);
  if (!doc) return fail(doc.error().message());
  // Before anything can print a secret: the registry, validation, an abort before the secrets
  // resolve (also under no_validation).
  subst::RegisterDocumentSecrets(*doc, ro.overrides, subst::ProcessEnv(), Redactor::Global());
  if (!settings.channels.empty()) {
    Clock& clock = request.clock != nullptr ? *request.clock : SystemClock();
    auto n = std::make_unique<RunNotifications>(settings, clock);
    n->Started(*doc);
    std::lock_guard lock(mu);
    notifications = std::move(n);
  }
  // The settings' runtime strategies and global controls (the controls file lives until the
  // run is over).
  std::unique_ptr<ControlsFile> controls_file;
  if (Status st = ApplySettings(settings, *doc, ro, controls_file); !st.ok()) {
    return fail(st.message());
  }
  // Driver plugins are loaded only for experiments that use them (dlopen costs start-up time).
  auto registry =
      UsesDrivers(*doc) ? LoadRegistry(request.env) : std::make_unique<plugin::Registry>();
  for (const auto& e : registry->errors()) log::Warn("{}", e);
  if (!request.no_validation) {
    validate::Options vo = validate::DefaultOptions();
    vo.overrides = ro.overrides;
    vo.check_driver = MakeDriverCheck(*registry);
    vo.python = validate::BridgePythonCheck(ro.python);  // the run's interpreter
    std::vector<std::string> errors = LogDiagnostics(validate::Validate(*doc, vo));
    if (!errors.empty()) {
      log::Error("the experiment is not valid; nothing was run");
      out.exit_code = kRunFailed;
      out.error = "the experiment is not valid; nothing was run:";
      for (const auto& e : errors) out.error += "\n" + e;
      return;
    }
  }

  // Faults: refuse to start while an earlier run's faults are not recovered.
  auto state_dir = StateDir(request.env);
  if (!state_dir) return fail(state_dir.error().message());
  std::vector<std::string> concurrent = request.concurrent_run_ids;
  if (request.concurrent_run_ids_now) {
    for (auto& id : request.concurrent_run_ids_now()) concurrent.push_back(std::move(id));
  }
  auto pending_faults = faults::PendingFaults(*state_dir, concurrent);
  if (!pending_faults) {
    return fail("cannot read the undo ledger in " + *state_dir + ": " +
                pending_faults.error().message());
  }
  if (*pending_faults > 0) {
    return fail(std::to_string(*pending_faults) +
                " fault(s) from an earlier run are not undone (ledger in " + *state_dir +
                "); run `chaosrun recover" + StateDirFlag(request.env, *state_dir) + "` first");
  }
  auto guard = MakeGuard(request.env, *doc);
  if (!guard) return fail(guard.error().message());
  RunWithFaults(out, *doc, ro, *registry, **guard, *state_dir);
}

void Session::Impl::RunWithFaults(Outcome& out, const Json& doc, engine::RunOptions& ro,
                                  plugin::Registry& registry, guard::Guard& guard,
                                  const std::string& state_dir) {
  Clock& clock = request.clock != nullptr ? *request.clock : SystemClock();
  // Without an observer (chaosrund) the log is the record: each applied fault gets an INFO line.
  faults::FaultManager fault_manager(registry, guard, clock,
                                     {run_id, state_dir, request.observer == nullptr});
  RunFaultHooks hooks(fault_manager, state_dir);
  ro.faults = &hooks;

  // Whatever leaves this scope (a return, an exception), no fault stays applied that an undo
  // could still remove; what cannot be undone stays in the ledger for `chaosrun recover`. The
  // counts of the Outcome are taken after it.
  struct UndoOnExit {
    faults::FaultManager& fm;
    Outcome& out;
    ~UndoOnExit() {
      NoThrow("the undo on exit", [this] {
        if (fm.applied_count() > 0) (void)fm.UndoAll("chaosrun is exiting");
        CountFaults(fm, out);
      });
    }
  } undo_on_exit{fault_manager, out};

  faults::FaultDispatcher dispatcher(fault_manager);
  SilentObserver silent;
  engine::Observer& observer = request.observer != nullptr ? *request.observer : silent;
  engine::Runner engine_runner(clock, dispatcher, observer);
  engine::RunResult result;
  Attach(engine_runner);
  bool ran = NoThrow("the run", [&] {
    // `chaosrun halt` reaches the run in every phase within milliseconds.
    faults::HaltWatch halt(state_dir, [this](const std::string& reason) {
      log::Error("{}: stopping the experiment and undoing every fault", reason);
      Interrupt(engine::InterruptKind::kOther, reason);
    });
    result = engine_runner.Run(doc, ro);
  });
  Detach();
  if (!ran) {
    // The runner itself never throws; should it, the faults are undone (UndoOnExit and below)
    // and a journal still says what happened.
    (void)fault_manager.UndoAll("internal error");
    result.journal = {{"status", "aborted"},
                      {"deviated", false},
                      {"abort", "internal error (see the log)"},
                      {"faults", fault_manager.Summary()}};
    result.exit_code = kRunFailed;
  }
  out.exit_code = result.exit_code;
  if (size_t left = fault_manager.applied_count(); left > 0) {
    for (const auto& f : fault_manager.Summary()) {
      if (!f.value("applied", false) || f.value("undone", false)) continue;
      log::Error("fault {} ({}.{}, activity '{}') is NOT undone: {}", f.value("id", "?"),
                 f.value("driver", "?"), f.value("func", "?"), f.value("activity", "?"),
                 f.value("undo_error", std::string("its undo did not finish")));
    }
    std::string message = std::to_string(left) +
                          " fault(s) could not be undone; they stay in the ledger: run `chaosrun "
                          "recover" +
                          StateDirFlag(request.env, state_dir) + "`";
    log::Error("{}", message);
    out.error = message;
    out.exit_code = kRunFailed;
  }
  if (result.journal.is_object()) {
    out.status = result.journal.value("status", out.status);
    out.deviated = result.journal.value("deviated", false);
  }
  out.journal = Redactor::Global().RedactJson(result.journal);
  Status st = journal::WriteJournal(request.journal_path, result.journal);
  if (!st.ok()) {
    log::Error("could not write the journal: {}", st.message());
    if (!out.error.empty()) out.error += "; ";
    out.error += "could not write the journal: " + st.message();
    out.exit_code = kRunFailed;
    return;
  }
  log::Info("Journal written to {}", request.journal_path);
  out.journal_path = request.journal_path;
}

Session::Session(RunRequest request) : impl_(std::make_unique<Impl>(std::move(request))) {}

Session::~Session() = default;

const std::string& Session::run_id() const { return impl_->run_id; }

Outcome Session::Run() {
  Outcome out;
  out.run_id = impl_->run_id;
  bool ok = NoThrow("the run pipeline", [&] { impl_->Pipeline(out); });
  {
    std::lock_guard lock(impl_->mu);
    impl_->draining = true;
    // An interrupt that came between the run's end and now cuts the wait as well.
    if (impl_->notifications && impl_->interrupts > 1) {
      impl_->notifications->Interrupt(impl_->interrupted.token().reason());
    }
  }
  if (impl_->notifications) {
    NoThrow("the run's notifications", [&] { impl_->notifications->Ended(out); });
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->done = true;
    impl_->pending.reset();
  }
  if (!ok) {
    if (out.error.empty()) out.error = "internal error (see the log)";
    out.exit_code = kRunInternal;
  }
  return out;
}

void Session::Interrupt(engine::InterruptKind kind, const std::string& reason) {
  impl_->Interrupt(kind, reason);
}

}  // namespace chaosrun::session
