// The end-of-run summary of `chaosrun run` (docs/console.md): what was injected (each fault, one
// line), what was observed (the hypothesis before, during and after; deviated or not), what was
// undone (or not, and why) and the status with the exit code it means. Built from the finished
// journal alone (Observer::OnRunFinished, after every undo), so the session's "Journal written
// to PATH" line follows it as the run's last line. About six lines for an ordinary run, at most
// kSummaryFaults lines per list. The logger redacts the lines.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/log.h"

namespace chaosrun::cli {

inline constexpr size_t kSummaryFaults = 5;

std::vector<std::pair<log::Level, std::string>> SummaryLines(const Json& journal);

}  // namespace chaosrun::cli
