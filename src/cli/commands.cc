#include "cli/commands.h"

#include <iostream>

#include "cli/cli.h"
#include "cli/console_observer.h"
#include "cli/safety.h"
#include "cli/signals.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/no_throw.h"
#include "common/redact.h"
#include "engine/runner.h"
#include "faults/dispatcher.h"
#include "faults/fault_manager.h"
#include "faults/halt_watch.h"
#include "faults/recover.h"
#include "journal/journal.h"
#include "ledger/ledger.h"
#include "parse/loader.h"
#include "providers/provider.h"
#include "subst/register_secrets.h"
#include "validate/validator.h"

namespace chaosrun::cli {

Status BuildOverrides(const Args& args, subst::Overrides& out) {
  // Precedence: --var > var-files (in order) > the experiment's declarations.
  for (const auto& f : args.var_files) {
    Status st = subst::LoadVarFile(f, out);
    if (!st.ok()) return st;
  }
  for (const auto& v : args.vars) {
    Status st = subst::ParseVarArgument(v, out);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Result<Json> LoadSource(const std::string& source) {
  if (source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0) {
    return Err(Status::Unsupported("loading experiments from a URL is not supported yet: " +
                                   source + " (download it and pass the file)"));
  }
  return parse::LoadExperimentFile(source);
}

namespace {

// Whether any activity (anywhere in the document) has a `driver` provider.
bool UsesDrivers(const Json& value) {
  if (value.is_object()) {
    auto p = value.find("provider");
    if (p != value.end() && p->is_object()) {
      auto t = p->find("type");
      if (t != p->end() && t->is_string() && t->get<std::string>() == "driver") return true;
    }
    for (const auto& [k, v] : value.items()) {
      if (UsesDrivers(v)) return true;
    }
  } else if (value.is_array()) {
    for (const auto& v : value) {
      if (UsesDrivers(v)) return true;
    }
  }
  return false;
}

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

// Prints diagnostics; returns true when there are errors.
bool Report(const std::vector<validate::Diagnostic>& diags, bool to_stdout) {
  bool errors = false;
  for (const auto& d : diags) {
    if (d.warning) {
      log::Warn("{}", d.ToString());
      continue;
    }
    errors = true;
    if (to_stdout) {
      std::cout << Redactor::Global().Redact(d.ToString()) << "\n";
    } else {
      log::Error("{}", d.ToString());
    }
  }
  return errors;
}

}  // namespace

int ValidateCommand(const Args& args) {
  subst::Overrides overrides;
  if (Status st = BuildOverrides(args, overrides); !st.ok()) {
    std::cerr << "Error: " << st.message() << "\n";
    return kExitUsage;
  }
  auto doc = LoadSource(args.source);
  if (!doc) {
    log::Error("{}", doc.error().message());
    return kExitFailed;
  }
  // Before anything can print a secret (the same call as in RunCommand).
  subst::RegisterDocumentSecrets(*doc, overrides, subst::ProcessEnv(), Redactor::Global());
  auto registry = LoadRegistry(args);
  for (const auto& e : registry->errors()) log::Warn("{}", e);
  validate::Options vo = validate::DefaultOptions();
  vo.overrides = overrides;
  vo.check_driver = MakeDriverCheck(*registry);
  vo.strict = args.strict;
  auto diags = validate::Validate(*doc, vo);
  if (args.json_output) {
    Json out = Json::array();
    for (const auto& d : diags) {
      out.push_back({{"pointer", d.pointer},
                     {"message", d.message},
                     {"severity", d.warning ? "warning" : "error"}});
    }
    std::cout << DumpPretty(Redactor::Global().RedactJson(out)) << "\n";
    return validate::HasErrors(diags) ? kExitFailed : kExitOk;
  }
  if (Report(diags, /*to_stdout=*/true)) {
    size_t n = 0;
    for (const auto& d : diags) n += d.warning ? 0 : 1;
    log::Error("{}: {} problem{} found; the experiment is not valid", args.source, n,
               n == 1 ? "" : "s");
    return kExitFailed;
  }
  log::Info("experiment syntax and semantic look valid");
  return kExitOk;
}

int RunCommand(const Args& args) {
  // Before any thread exists, so every thread inherits the blocked mask.
  BlockRunSignals();

  engine::RunOptions ro;
  if (Status st = BuildOverrides(args, ro.overrides); !st.ok()) {
    std::cerr << "Error: " << st.message() << "\n";
    return kExitUsage;
  }
  if (!args.dry.empty()) ro.dry = *engine::ParseDryMode(args.dry);
  if (!args.hypothesis_strategy.empty()) {
    ro.hypothesis_strategy = engine::ParseHypothesisStrategy(args.hypothesis_strategy);
  }
  if (!args.rollback_strategy.empty()) {
    ro.rollback_strategy = engine::ParseRollbackStrategy(args.rollback_strategy);
  }
  ro.hypothesis_frequency = args.hypothesis_frequency;
  ro.fail_fast = args.fail_fast;

  // The journal must be writable before anything runs: a run whose record cannot be kept must
  // not change the world.
  if (Status st = journal::CheckWritable(args.journal_path); !st.ok()) {
    log::Error("{}; nothing was run", st.message());
    return kExitFailed;
  }
  auto doc = LoadSource(args.source);
  if (!doc) {
    log::Error("{}", doc.error().message());
    return kExitFailed;
  }
  // Before anything can print a secret: the registry, validation, an abort before the secrets
  // resolve (also under --no-validation).
  subst::RegisterDocumentSecrets(*doc, ro.overrides, subst::ProcessEnv(), Redactor::Global());
  // Driver plugins are loaded only for experiments that use them (dlopen costs start-up time).
  auto registry = UsesDrivers(*doc) ? LoadRegistry(args) : std::make_unique<plugin::Registry>();
  for (const auto& e : registry->errors()) log::Warn("{}", e);
  if (!args.no_validation) {
    validate::Options vo = validate::DefaultOptions();
    vo.overrides = ro.overrides;
    vo.check_driver = MakeDriverCheck(*registry);
    if (Report(validate::Validate(*doc, vo), /*to_stdout=*/false)) {
      log::Error("the experiment is not valid; nothing was run");
      return kExitFailed;
    }
  }

  // Faults: refuse to start while an earlier run's faults are not recovered.
  auto state_dir_or = StateDir(args);
  if (!state_dir_or) {
    log::Error("{}", state_dir_or.error().message());
    return kExitFailed;
  }
  std::string state_dir = *state_dir_or;
  auto pending = faults::PendingFaults(state_dir);
  if (!pending) {
    log::Error("cannot read the undo ledger in {}: {}", state_dir, pending.error().message());
    return kExitFailed;
  }
  if (*pending > 0) {
    log::Error(
        "{} fault(s) from an earlier run are not undone (ledger in {}); run `chaosrun "
        "recover{}` first",
        *pending, state_dir, args.state_dir.empty() ? "" : " --state-dir " + state_dir);
    return kExitFailed;
  }
  auto guard = MakeGuard(args, *doc);
  if (!guard) {
    log::Error("{}", guard.error().message());
    return kExitFailed;
  }
  faults::FaultManager fault_manager(*registry, **guard, SystemClock(),
                                     {ledger::NewFaultId(), state_dir});
  RunFaultHooks hooks(fault_manager, state_dir);
  ro.faults = &hooks;
  ro.deadline_seconds = args.deadline_seconds;

  // Whatever leaves this scope (a return, an exception), no fault stays applied that an undo
  // could still remove; what cannot be undone stays in the ledger for `chaosrun recover`.
  struct UndoOnExit {
    faults::FaultManager& fm;
    ~UndoOnExit() {
      NoThrow("the undo on exit", [this] {
        if (fm.applied_count() > 0) (void)fm.UndoAll("chaosrun is exiting");
      });
    }
  } undo_on_exit{fault_manager};

  faults::FaultDispatcher dispatcher(fault_manager);
  ConsoleObserver observer;
  engine::Runner runner(SystemClock(), dispatcher, observer);
  engine::RunResult result;
  bool ran = NoThrow("the run", [&] {
    SignalWatcher watcher([&runner](engine::InterruptKind kind, const std::string& reason) {
      runner.Interrupt(kind, reason);
    });
    // `chaosrun halt` reaches the run in every phase within milliseconds.
    faults::HaltWatch halt(state_dir, [&runner](const std::string& reason) {
      log::Error("{}: stopping the experiment and undoing every fault", reason);
      runner.Interrupt(engine::InterruptKind::kOther, reason);
    });
    result = runner.Run(*doc, ro);
  });
  if (!ran) {
    // The runner itself never throws; should it, the faults are undone (UndoOnExit and below)
    // and a journal still says what happened.
    (void)fault_manager.UndoAll("internal error");
    result.journal = {{"status", "aborted"},
                      {"deviated", false},
                      {"abort", "internal error (see the log)"},
                      {"faults", fault_manager.Summary()}};
    result.exit_code = kExitFailed;
  }
  if (size_t left = fault_manager.applied_count(); left > 0) {
    for (const auto& f : fault_manager.Summary()) {
      if (!f.value("applied", false) || f.value("undone", false)) continue;
      log::Error("fault {} ({}.{}, activity '{}') is NOT undone: {}", f.value("id", "?"),
                 f.value("driver", "?"), f.value("func", "?"), f.value("activity", "?"),
                 f.value("undo_error", std::string("its undo did not finish")));
    }
    log::Error("{} fault(s) could not be undone; they stay in the ledger: run `chaosrun recover{}`",
               left, args.state_dir.empty() ? "" : " --state-dir " + state_dir);
    result.exit_code = kExitFailed;
  }
  Status st = journal::WriteJournal(args.journal_path, result.journal);
  if (!st.ok()) {
    log::Error("could not write the journal: {}", st.message());
    return kExitFailed;
  }
  log::Info("Journal written to {}", args.journal_path);
  return result.exit_code;
}

}  // namespace chaosrun::cli
