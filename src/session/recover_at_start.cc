// session::RecoverAtStart (session.h): the undo of every fault a dead runner left.
#include <algorithm>

#include "common/log.h"
#include "faults/recover.h"
#include "ledger/inspect.h"
#include "session/environment.h"
#include "session/session.h"

namespace chaosrun::session {

Result<RecoverSummary> RecoverAtStart(const Environment& env) {
  auto dir = StateDir(env);
  if (!dir) return Err(dir.error());
  // Which runs were interrupted: those whose faults are pending and whose runner is gone (a
  // live runner's faults are refused by Recover: that run undoes them itself).
  auto pending = ledger::ListPending(*dir);
  if (!pending) return Err(pending.error());
  RecoverSummary summary;
  for (const auto& f : *pending) {
    if (f.runner_alive) continue;
    if (std::find(summary.interrupted_runs.begin(), summary.interrupted_runs.end(), f.run) ==
        summary.interrupted_runs.end()) {
      summary.interrupted_runs.push_back(f.run);
    }
  }
  // The drivers are loaded only when there is something to undo (dlopen costs start-up time).
  auto registry = pending->empty() ? std::make_unique<plugin::Registry>() : LoadRegistry(env);
  for (const auto& e : registry->errors()) log::Warn("{}", e);
  auto report = faults::Recover(*dir, *registry);
  if (!report) return Err(report.error());
  summary.undone = report->undone;
  summary.failed = report->failed;
  summary.refused = report->refused;
  summary.lines = std::move(report->lines);
  return summary;
}

}  // namespace chaosrun::session
