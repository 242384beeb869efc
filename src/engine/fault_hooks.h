// FaultHooks: how the engine reaches the fault lifecycle (src/faults) without depending on it.
// After the experiment's own rollbacks, whatever the rollback strategy, the runner asks the
// hooks to undo every fault still applied and records each undo in the journal.
#pragma once

#include <optional>
#include <string>

#include "common/cancel.h"
#include "common/json.h"

namespace chaosrun::engine {

class FaultHooks {
 public:
  virtual ~FaultHooks() = default;
  // Undoes every applied fault (newest first); returns journal run records. Every undo is
  // bounded; once `hurry` is cancelled (an interrupt during the undo: a second signal, the
  // deadline, the kill switch) the undos still run but with a short grace each, and what does
  // not finish stays in the ledger for `chaosrun recover`.
  virtual Json UndoAll(const std::string& reason, const CancelToken& hurry) = 0;
  // Undo records the watchdog produced during the run.
  virtual Json TakeWatchdogRecords() = 0;
  // One entry per fault of the run (journal "faults").
  virtual Json Summary() = 0;
  // A reason when the kill switch is set.
  virtual std::optional<std::string> HaltReason() = 0;
};

}  // namespace chaosrun::engine
