// How the daemon runs one experiment: the seam between the daemon's queue and the run pipeline.
// The real one (SessionExecutor, session_executor.h) is a session::Session, exactly what
// `chaosrun run` runs; tests of the queue and the scheduler's timing may plug in one whose runs
// end when the test says (nothing else can make a run last "until the test says" without time).
//
// Threads: Prepare() is called under no lock from the daemon's threads; RunHandle::Run() once,
// from the run's own thread; RunHandle::Interrupt() from any thread, before, during or after Run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/context.h"
#include "session/session.h"
#include "subst/configuration.h"

namespace chaosrun::daemon {

struct RunSpec {
  std::string id;               // the daemon's run id (a safe file name)
  std::string schedule;         // "" = started through the API
  std::string experiment;       // the name in the experiments directory
  std::string path;             // its absolute path (inside the experiments directory)
  subst::Overrides vars;        // the schedule's or the request's overrides
  double deadline_seconds = 0;  // 0 = none
  std::string journal_path;     // <state_dir>/runs/<id>.json
  session::Environment env;
  std::vector<std::string> concurrent_run_ids;  // ledger ids of the daemon's runs in flight
  // The ledger ids of the daemon's other runs in flight when the run checks for pending faults
  // (session::RunRequest::concurrent_run_ids_now): a run started after this one was prepared
  // may have applied a fault by then. Called from the run's thread; null = none.
  std::function<std::vector<std::string>()> concurrent_run_ids_now;
};

class RunHandle {
 public:
  virtual ~RunHandle() = default;
  // The ledger's id of this run's faults (session::Session::run_id()).
  virtual std::string ledger_run_id() const = 0;
  virtual session::Outcome Run() = 0;
  virtual void Interrupt(engine::InterruptKind kind, const std::string& reason) = 0;
};

class RunExecutor {
 public:
  virtual ~RunExecutor() = default;
  virtual std::unique_ptr<RunHandle> Prepare(const RunSpec& spec) = 0;
  // session::RecoverAtStart for the real executor.
  virtual Result<session::RecoverSummary> Recover(const session::Environment& env) = 0;
};

}  // namespace chaosrun::daemon
