// What the plan and the undo record about a process, and the rules that keep signals away from
// the wrong process: a pid is only ever signalled together with the start time it had when it
// was chosen, and never when it is protected.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "process/proc.h"
#include "process/selector.h"

namespace chaosrun::drivers::process {

// pid <= 1, this process (the host) and its parent are never signalled.
bool IsProtected(int pid);

// "process:<comm>/<pid>" — what the host's blast-radius guard matches.
std::string TargetOf(const ProcStat& s);

// A process as recorded in a plan or an undo.
struct Recorded {
  int pid = 0;
  std::string comm;
  uint64_t start_time = 0;
  std::string cmdline;  // kill's undo only: the identity of the instance
};

nlohmann::json ToJson(const Recorded& r, bool with_cmdline);
// Parses a list of {"pid", "start_time", "comm"[, "cmdline"]}; an error message or empty.
std::string ParseRecorded(const nlohmann::json& list, std::vector<Recorded>* out);

// What makes a process "an instance like the one killed": its command line, or its name
// when the command line is empty.
std::string IdentityKey(const std::string& cmdline, const std::string& comm);

// The live processes that count as instances: those the selector matches (not for a `pids`
// selector: pids do not survive a restart) plus those whose identity is in `identities`.
// Ascending pids; `error` is set when the selector could not be evaluated (they still count).
std::vector<int> Instances(const Selector& selector, const std::set<std::string>& identities,
                           const Env& env, std::string* error);

// Polls `done` until it holds, `timeout` passes or the call is cancelled; true if it held.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout, const Env& env);

}  // namespace chaosrun::drivers::process
