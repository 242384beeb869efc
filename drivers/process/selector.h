// Which processes an action or probe is about: exactly one selector of `pids`, `pidfile`,
// `name` (exact /proc/PID/comm), `cmdline` (regular expression) or `unit` (systemd MainPID).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process/proc.h"

namespace chaosrun::drivers::process {

enum class SelectorKind { kPids, kPidfile, kName, kCmdline, kUnit };

inline constexpr const char* kSelectorKeys[] = {"pids", "pidfile", "name", "cmdline", "unit"};
inline constexpr size_t kMaxNameBytes = 15;          // the kernel's TASK_COMM_LEN - 1
inline constexpr size_t kMaxPatternBytes = 1024;     // a cmdline pattern
inline constexpr size_t kMaxRegexSubject = 1024;     // cmdline bytes a pattern is searched in
inline constexpr size_t kMaxIdentityCmdline = 8192;  // cmdline bytes kept as a process identity
inline constexpr size_t kMaxPids = 4096;

struct Selector {
  SelectorKind kind = SelectorKind::kPids;
  std::vector<int> pids;  // kPids
  std::string value;      // the pidfile path, name, pattern or unit

  nlohmann::json ToJson() const;  // {"name": "redis-server"} — parses back to the same selector
  std::string Describe() const;   // name "redis-server"
};

// Parses the one selector present in `args` (other keys are ignored here). Returns an error
// message for a person, empty on success.
std::string ParseSelector(const nlohmann::json& args, Selector* out);

// How a driver call looks at the system (a seam for tests).
struct Env {
  std::string proc_root = "/proc";
  std::function<bool()> cancelled;  // may be empty
  // Tests only: runs in SignalSameProcess between pidfd_open and the start-time check.
  std::function<void(int pid)> after_pidfd_open;
  bool Cancelled() const { return cancelled && cancelled(); }
};

struct MatchResult {
  std::vector<ProcStat> procs;    // live processes (not exited, not kernel threads), by pid
  int unit_main_pid = 0;          // kUnit: the MainPID systemctl reported (0: not running)
  std::string error;              // could not look: a bad pattern, systemctl failed, ...
  bool invalid_argument = false;  // `error` is the caller's fault
};

// Every live process the selector matches now. A missing or unreadable pidfile matches nothing.
MatchResult FindMatches(const Selector& selector, const Env& env);

// `systemctl show -p MainPID --value UNIT`: the pid (0 when the unit has no running main
// process) or an error message.
int UnitMainPid(const std::string& unit, const Env& env, std::string* error);

// The live process `pid` (and not a thread of another process), if any.
std::optional<ProcStat> ReadLiveProcess(const std::string& root, int pid);

}  // namespace chaosrun::drivers::process
