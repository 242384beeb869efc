// Setting and clearing the kill switch: the file "halt" in the state directory (HaltFilePath,
// fault_manager.h), the one implementation behind `chaosrun halt` and chaosrund's
// `POST/DELETE /v1/halt`. While it exists the fault manager refuses every fault and every
// session's HaltWatch (halt_watch.h) interrupts its run; its text says why.
//
// Thread-safety: plain file operations, callable from any thread.
#pragma once

#include <string>

#include "common/status.h"

namespace chaosrun::faults {

// Writes the halt file (created world-readable on purpose: it says why faults are refused; the
// directory stays private), holding `reason` and a newline, and syncs it. The state directory is
// created (0700) when missing and checked like the ledger's (ledger/state_dir.h); the file is
// never followed through a symbolic link.
Status SetHalt(const std::string& state_dir, const std::string& reason);

// Removes the halt file. True when it was there, false when it was not (nor the directory). A
// state directory that exists but is not private to the effective user is an error.
Result<bool> ClearHalt(const std::string& state_dir);

}  // namespace chaosrun::faults
