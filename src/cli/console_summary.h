// The end-of-run summary of `chaosrun run` (docs/console.md): what was injected (each fault, one
// line), what was observed (the hypothesis before, during and after; deviated or not), what was
// undone (or not, and why), the status and the journal path. Built from the session's Outcome
// alone (its journal is already redacted); about ten lines for an ordinary run, at most
// kSummaryFaults lines per list. Nothing for a run that never started (nothing to sum up).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/log.h"
#include "session/session.h"

namespace chaosrun::cli {

inline constexpr size_t kSummaryFaults = 5;

std::vector<std::pair<log::Level, std::string>> SummaryLines(const session::Outcome& outcome);

}  // namespace chaosrun::cli
