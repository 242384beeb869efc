// Human descriptions of a fault for the console and the log: its targets by name and pid, and
// how it will be undone. Drivers say nothing human about their plans (the ABI carries targets
// and an opaque undo), so the host reads the shapes the built-in drivers compute; a driver may
// put its own "undo_description" string into its prepare reply, which wins. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/json.h"

namespace chaosrun::faults {

// "python3 (pid 1234)" for "process:python3/1234", "proxy web (API 127.0.0.1:8474)" for
// "proxy:127.0.0.1:8474/web" (the API the proxy is driven through), "file /etc/x.pem", "interface
// host/lo"; anything else as given.
std::string DescribeTarget(const std::string& target);
// The targets joined with ", " (at most kShownTargets, then "and N more"); "no target" if none.
std::string DescribeTargets(const std::vector<std::string>& targets);
inline constexpr size_t kShownTargets = 5;

// How the fault of `driver`.`func` with this prepare reply (`plan`, its "undo" included) is
// undone: "SIGCONT pid 1234", "remove toxic latency_downstream from proxy web", "restart:
// nginx -g ...", "restore 2 files, then reload". Never raw JSON; "<driver>.<func>'s undo" when
// the shape is unknown.
std::string DescribeUndo(const std::string& driver, const std::string& func, const Json& plan);

}  // namespace chaosrun::faults
