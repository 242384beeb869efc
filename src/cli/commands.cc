#include "cli/commands.h"

#include <iostream>

#include "cli/cli.h"
#include "cli/console_observer.h"
#include "cli/safety.h"
#include "cli/signals.h"
#include "common/log.h"
#include "common/redact.h"

namespace chaosrun::cli {

session::RunRequest RunRequestFrom(const Args& args) {
  session::RunRequest r;
  r.source = args.source;
  r.var_files = args.var_files;
  r.vars = args.vars;
  engine::RunOptions& ro = r.options;
  if (!args.dry.empty()) ro.dry = *engine::ParseDryMode(args.dry);
  if (!args.hypothesis_strategy.empty()) {
    ro.hypothesis_strategy = engine::ParseHypothesisStrategy(args.hypothesis_strategy);
  }
  if (!args.rollback_strategy.empty()) {
    ro.rollback_strategy = engine::ParseRollbackStrategy(args.rollback_strategy);
  }
  ro.hypothesis_frequency = args.hypothesis_frequency;
  ro.fail_fast = args.fail_fast;
  ro.deadline_seconds = args.deadline_seconds;
  ro.python = args.python;                // docs/python.md: the run's bridge and its validation
  ro.control_files = args.control_files;  // global controls, first at every level
  r.no_validation = args.no_validation;
  r.journal_path = args.journal_path;
  r.settings_path = args.settings_path;  // --settings (docs/settings.md)
  r.verify_tls = args.verify_tls;        // --no-verify-tls: an https:// SOURCE's download
  r.env = EnvironmentFrom(args);
  return r;
}

int RunCommand(const Args& args) {
  // Before any thread exists, so every thread inherits the blocked mask.
  BlockRunSignals();
  ConsoleObserver observer(
      {.in_place = StderrIsTerminal() && !args.verbose && args.log_format == log::Format::kText});
  session::RunRequest request = RunRequestFrom(args);
  request.observer = &observer;
  session::Session run(std::move(request));
  // A signal at any moment, also while the experiment loads, reaches the run (the run then ends
  // at once). `chaosrun halt` is watched by the session itself.
  SignalWatcher watcher([&run](engine::InterruptKind kind, const std::string& reason) {
    run.Interrupt(kind, reason);
  });
  session::Outcome out = run.Run();
  if (out.usage_error) std::cerr << "Error: " << out.error << "\n";
  return out.exit_code;
}

int ValidateCommand(const Args& args) {
  session::ValidateRequest request;
  request.source = args.source;
  request.var_files = args.var_files;
  request.vars = args.vars;
  request.env = EnvironmentFrom(args);
  request.strict = args.strict;
  request.python = args.python;
  request.settings_path = args.settings_path;
  request.verify_tls = args.verify_tls;
  session::ValidateOutcome out = session::Validate(request);
  if (out.usage_error) {
    std::cerr << "Error: " << out.error << "\n";
    return kExitUsage;
  }
  if (!out.error.empty()) {
    log::Error("{}", out.error);
    return kExitFailed;
  }
  for (const auto& e : out.registry_errors) log::Warn("{}", e);
  const auto& diags = out.diagnostics;
  if (args.json_output) {
    Json json = Json::array();
    for (const auto& d : diags) {
      json.push_back({{"pointer", d.pointer},
                      {"message", d.message},
                      {"severity", d.warning ? "warning" : "error"}});
    }
    std::cout << DumpPretty(Redactor::Global().RedactJson(json)) << "\n";
    return validate::HasErrors(diags) ? kExitFailed : kExitOk;
  }
  size_t errors = 0;
  for (const auto& d : diags) {
    if (d.warning) {
      log::Warn("{}", d.ToString());
      continue;
    }
    ++errors;
    std::cout << Redactor::Global().Redact(d.ToString()) << "\n";
  }
  if (errors > 0) {
    log::Error("{}: {} problem{} found; the experiment is not valid", args.source, errors,
               errors == 1 ? "" : "s");
    return kExitFailed;
  }
  log::Info("experiment syntax and semantic look valid");
  return kExitOk;
}

}  // namespace chaosrun::cli
