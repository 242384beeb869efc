// Recovery: undo every fault in the ledger that is not marked reverted — the faults of a runner
// that crashed or was killed. Newest first, each with the driver that applied it (found by name
// in the registry, else loaded from the path recorded in the intent). The faults of a run that
// is still alive are refused unless forced; `recover --list` and `--forget` are
// ledger/inspect.h.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "plugin/registry.h"

namespace chaosrun::faults {

struct RecoverReport {
  int undone = 0;
  int failed = 0;
  int refused = 0;                 // faults of a run that is still alive (without `force`)
  std::vector<std::string> lines;  // one human-readable line per fault
};

struct RecoverOptions {
  // Also undo the faults of a run that is still alive (ledger/runner.h). Without it they are
  // refused: that run undoes them itself when it ends, and may still depend on them.
  bool force = false;
};

// The state directory and the ledger are checked first (ledger/state_dir.h): one that is not
// private to the effective user is an error, and nothing is undone.
Result<RecoverReport> Recover(const std::string& state_dir, plugin::Registry& registry,
                              const RecoverOptions& options = {});

// The number of unrecovered faults (0 when the state directory or the ledger does not exist; an
// error when either is not private to the effective user).
Result<size_t> PendingFaults(const std::string& state_dir);
// The same, not counting the faults recorded by `excluded_runs` (an intent's "run"): the runs a
// daemon has in flight share its state directory and are not "earlier runs".
Result<size_t> PendingFaults(const std::string& state_dir,
                             const std::vector<std::string>& excluded_runs);

}  // namespace chaosrun::faults
