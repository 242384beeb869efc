// `chaosrun report JOURNAL [--output FILE]` and `chaosrun report JOURNAL JOURNAL… --output FILE`:
// one self-contained HTML page of a run, or the history page of several (src/report/,
// docs/report.md).
#pragma once

#include <string>

#include "cli/args.h"
#include "common/status.h"

namespace chaosrun::cli {

// Returns the exit code: 0 written; 1 a journal could not be read or the page not written.
// Prints the path of the page written on stdout, errors on stderr.
int ReportCommand(const Args& args);

// Writes `text` to `path.tmp-<pid>` and renames it over `path` (a reader never sees half a page).
Status WritePageFile(const std::string& path, const std::string& text);

}  // namespace chaosrun::cli
