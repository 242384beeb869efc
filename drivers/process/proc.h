// Reading processes from procfs. Every function takes the procfs root ("/proc", or a fake tree
// in tests) and never throws: an unreadable or malformed entry is simply "not there", because a
// process may exit between any two reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chaosrun::drivers::process {

// The fields of /proc/PID/stat this driver uses.
struct ProcStat {
  int pid = 0;
  std::string comm;  // the same bytes as /proc/PID/comm without its trailing newline
  char state = '?';  // R S D T t Z X I ...
  int ppid = 0;
  uint64_t flags = 0;       // field 9 (PF_* flags)
  uint64_t start_time = 0;  // field 22: clock ticks after boot; with the pid, a process identity
};

// Parses the text of /proc/PID/stat. The command name may hold spaces and parentheses: it runs
// from the first '(' to the LAST ')'.
std::optional<ProcStat> ParseStat(std::string_view text);

std::optional<ProcStat> ReadStat(const std::string& root, int pid);

// /proc/PID/cmdline with NULs turned into spaces (the final NUL dropped), at most `max_bytes`.
// Empty for kernel threads, zombies and unreadable entries.
std::string ReadCmdline(const std::string& root, int pid, size_t max_bytes);

// The Tgid line of /proc/PID/status: equal to `pid` for a process, different for a thread id.
std::optional<int> ReadTgid(const std::string& root, int pid);

// The numeric entries of `root`, ascending (processes only: /proc lists no thread ids).
std::vector<int> ListPids(const std::string& root);

// At most `max_bytes` of a file; nullopt if it cannot be opened or read.
std::optional<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

// Parses a pid written in a pidfile: optional surrounding whitespace around a decimal number.
std::optional<int> ParsePidText(std::string_view text);

// A zombie or dead entry: the process has exited.
inline bool HasExited(const ProcStat& s) {
  return s.state == 'Z' || s.state == 'X' || s.state == 'x';
}
// A kernel thread (PF_KTHREAD): never a target.
inline bool IsKernelThread(const ProcStat& s) { return (s.flags & 0x00200000u) != 0; }
// Stopped by a signal (T) or by a tracer (t).
inline bool IsStopped(const ProcStat& s) { return s.state == 'T' || s.state == 't'; }

// The live process `pid` if its start time is still `start_time` (not exited, not recycled).
std::optional<ProcStat> ReadSameProcess(const std::string& root, int pid, uint64_t start_time);

// Replaces control characters with '?', so a process name is safe inside a target string.
std::string PrintableComm(std::string_view comm);

}  // namespace chaosrun::drivers::process
