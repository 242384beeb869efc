// The identity of the runner that recorded a fault, so that `recover` can tell the faults of a
// run that is still alive (and will undo them itself) from those a dead run left behind.
//
// Written into every intent by Ledger::RecordIntent as
//   "runner": {"pid": 4242, "start": 123456, "boot_id": "9f0c…"}
// where `start` is the process start time (field 22 of /proc/PID/stat, clock ticks since boot)
// and `boot_id` is /proc/sys/kernel/random/boot_id. A runner is alive when the machine has not
// rebooted since (same boot id), /proc/PID exists and its start time is the recorded one (a
// recycled pid has another). Pids are those of the pid namespace that reads /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/json.h"

namespace chaosrun::ledger {

struct RunnerIdentity {
  pid_t pid = 0;
  uint64_t start = 0;   // clock ticks since boot
  std::string boot_id;  // empty when /proc does not say

  Json ToJson() const;
  // Null when `j` is not an object with an integer pid > 0 and an integer start.
  static std::optional<RunnerIdentity> FromJson(const Json& j);
};

// This process.
RunnerIdentity SelfIdentity();

// The start time of `pid` (field 22 of /proc/PID/stat), or null when there is no such process.
std::optional<uint64_t> ProcessStartTime(pid_t pid);
// Parses the text of a /proc/PID/stat file.
std::optional<uint64_t> ParseStartTime(const std::string& stat_text);
// /proc/sys/kernel/random/boot_id without its newline ("" when unreadable).
std::string CurrentBootId();

using StartTimeOf = std::function<std::optional<uint64_t>(pid_t)>;

// Whether the runner recorded as `runner` (an intent's "runner" value) is alive, given this
// boot's id and a way to read a pid's start time. No (or a malformed) record, another boot, a
// gone pid or another start time: not alive.
bool RunnerAlive(const Json& runner, const std::string& boot_id, const StartTimeOf& start_of);
// The same against this machine's /proc.
bool RunnerAlive(const Json& runner);

}  // namespace chaosrun::ledger
