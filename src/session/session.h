// The run pipeline, shared by the two front ends (`chaosrun run` and `chaosrund`): load, the
// --var/--var-file overrides, secrets registered with the redactor, the driver registry,
// validation, the pending-fault check, the guard, the fault manager, the runner, the undo on
// exit and the journal. A front end builds a RunRequest, starts a Session and waits for its
// Outcome; it never repeats a step of the pipeline (design.md: one library, two thin mains).
//
// Signals are the front end's business: the CLI blocks them and turns each into
// Session::Interrupt(); the daemon does the same for every run it holds. A Session never
// installs a signal handler.
//
// Thread-safety: Run() once, from one thread. Interrupt() from any thread at any time, also
// before Run() starts (the run then ends at once, undoing nothing it never applied) and after it
// returns (no effect).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "engine/context.h"
#include "engine/observer.h"
#include "engine/runner.h"
#include "subst/configuration.h"
#include "validate/validator.h"

namespace chaosrun::session {

// Where drivers, the policy and the ledger come from.
struct Environment {
  std::vector<std::string> driver_dirs;  // each must exist; the installed directory is added
  bool installed_drivers = true;         // also plugin::InstalledDriverDir()
  std::string policy_path;               // "" = guard::kDefaultPolicyPath if present
  std::string state_dir;                 // "" = ledger::DefaultStateDir()
};

struct RunRequest {
  // The experiment: a path (or an http(s) URL once supported) in `source`, or an already loaded
  // document in `document` (then `source` only names it in messages).
  std::string source;
  std::optional<Json> document;

  std::vector<std::string> var_files;  // in order; --var beats them
  std::vector<std::string> vars;       // "name=value" or "name:type=value"
  subst::Overrides extra_overrides;    // applied after vars (the daemon's per-schedule vars)

  // --settings FILE: the reference's settings file (docs/settings.md); "" = none is read.
  std::string settings_path;
  // --no-verify-tls: an https `source` is loaded without verifying its certificate.
  bool verify_tls = true;

  engine::RunOptions options;  // dry, strategies, frequency, fail_fast, deadline (no `faults`)
  bool no_validation = false;
  std::string journal_path = "./journal.json";
  Environment env;

  // Faults in the ledger recorded by these run ids are not "pending from an earlier run": the
  // daemon passes the ids of its runs in flight, which share its state directory and its pid.
  std::vector<std::string> concurrent_run_ids;
  // The same, asked for at the moment of the check, added to concurrent_run_ids (the runs in
  // flight change while this one waits to start); null = none. Called once, from Run()'s thread.
  std::function<std::vector<std::string>()> concurrent_run_ids_now;

  // What the console (or the daemon's log) shows; null = nothing.
  engine::Observer* observer = nullptr;
  Clock* clock = nullptr;  // null = SystemClock()
};

// How a run ended, for the front ends: the CLI returns exit_code; the daemon keeps the rest.
struct Outcome {
  int exit_code = 1;  // cli.h's kExitOk / kExitFailed / kExitUsage, as `chaosrun run` exits
  // "completed", "failed", "aborted", "interrupted", "refused" (the journal's status), or
  // "not-run" when the pipeline stopped before the runner (bad input, pending faults, ...).
  std::string status = "not-run";
  bool deviated = false;
  std::string run_id;         // the ledger's id for this run's faults
  std::string journal_path;   // "" when no journal was written
  Json journal;               // the journal as written (null when none)
  std::string error;          // why the pipeline stopped before or after the run ("" = no)
  size_t faults_applied = 0;  // driver faults applied in this run
  size_t faults_undone = 0;   // ... and undone
  size_t faults_left = 0;     // ... still applied when the run ended (in the ledger)
  bool usage_error = false;   // a bad --var / --var-file (exit 2)
};

class Session {
 public:
  explicit Session(RunRequest request);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The id under which this run's faults are recorded (known before Run()).
  const std::string& run_id() const;

  // Runs the whole pipeline. Never throws; every failure is in the Outcome.
  Outcome Run();

  // Interrupts the run in whatever phase it is: the running activity is cut short and every
  // fault is undone (engine::Runner::Interrupt). kOther is an abort (the API's, `halt`'s).
  void Interrupt(engine::InterruptKind kind, const std::string& reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `chaosrun validate`'s pipeline: load, overrides, secrets, registry, validation.
struct ValidateRequest {
  std::string source;
  std::vector<std::string> var_files;
  std::vector<std::string> vars;
  std::string settings_path;  // as RunRequest's
  bool verify_tls = true;      // as RunRequest's
  Environment env;
  bool strict = false;
  // --python PATH: the interpreter python activities and control modules are resolved with
  // ("" = $CHAOSRUN_PYTHON, else python3 on the PATH); a run takes it from options.python.
  std::string python;
};
struct ValidateOutcome {
  std::vector<validate::Diagnostic> diagnostics;  // errors and warnings
  std::vector<std::string> registry_errors;       // drivers that failed to load
  std::string error;                              // load or usage failure ("" = none)
  bool usage_error = false;
  bool valid() const { return error.empty() && !validate::HasErrors(diagnostics); }
};
ValidateOutcome Validate(const ValidateRequest& request);

// What a front end does before anything else on start (the daemon) or on `chaosrun recover`:
// undo every fault in the ledger whose runner is dead. `lines` says what was done.
struct RecoverSummary {
  int undone = 0;
  int failed = 0;
  int refused = 0;
  std::vector<std::string> interrupted_runs;  // run ids whose faults were found pending
  std::vector<std::string> lines;
};
Result<RecoverSummary> RecoverAtStart(const Environment& env);

}  // namespace chaosrun::session
