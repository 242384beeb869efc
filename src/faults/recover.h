// Recovery: undo every fault in the ledger that is not marked reverted — the faults of a runner
// that crashed or was killed. Newest first, each with the driver that applied it (found by name
// in the registry, else loaded from the path recorded in the intent).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "plugin/registry.h"

namespace chaosrun::faults {

struct RecoverReport {
  int undone = 0;
  int failed = 0;
  std::vector<std::string> lines;  // one human-readable line per fault
};

Result<RecoverReport> Recover(const std::string& state_dir, plugin::Registry& registry);

// The number of unrecovered faults (0 when the ledger does not exist).
Result<size_t> PendingFaults(const std::string& state_dir);

}  // namespace chaosrun::faults
