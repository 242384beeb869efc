// The journal: the Chaos-Toolkit-compatible record of a run (ctk-spec §9) and its durable,
// atomic, secret-free writing.
#pragma once

#include <string>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::journal {

// "Linux-6.1.0-x86_64-with-glibc2.36", as Python's platform.platform().
std::string PlatformString();
// The host name.
std::string NodeName();

// A journal skeleton with the reference's key order; status null, nothing run yet.
Json NewJournal(const Json& experiment, const std::string& start);

// Redacts every registered secret (common/redact.h), writes `path.tmp-<pid>` in the same
// directory, fsyncs it, renames it over `path` and fsyncs the directory. 2-space indent, UTF-8
// kept. The previous journal at `path` stays intact if anything fails.
Status WriteJournal(const std::string& path, const Json& journal);

// Checks that a journal can be written at `path` (creates and removes a temporary file next to
// it), so a run can refuse to start instead of losing its record at the end.
Status CheckWritable(const std::string& path);

}  // namespace chaosrun::journal
