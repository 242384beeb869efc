// Running other programs from inside a host process that may have many threads: only
// posix_spawn and async-signal-safe calls after fork; children start with an empty signal mask,
// default signal dispositions, and no inherited descriptors beyond stdin/stdout/stderr.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "process/credentials.h"

namespace chaosrun::drivers::process {

struct CaptureResult {
  bool started = false;    // false: `error` says why it could not be started
  bool timed_out = false;  // killed at the deadline
  bool cancelled = false;  // killed because `cancelled()` became true
  int exit_code = -1;      // when it exited normally
  int term_signal = 0;     // when a signal ended it
  std::string out;         // stdout (at most 64 KiB)
  std::string err;         // stderr (at most 64 KiB)
  std::string error;
  bool Succeeded() const { return started && !timed_out && !cancelled && exit_code == 0; }
  std::string Describe() const;  // "exit status 1: <stderr>" and the like
};

// Runs argv (argv[0] looked up on PATH, posix_spawnp) with stdin from /dev/null and waits for
// it, at most `timeout`. `cancelled` (may be empty) is polled every 100 ms.
CaptureResult RunCapture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::function<bool()>& cancelled);

struct DetachedResult {
  bool ok = false;
  int pid = 0;  // the started program's pid (it is not our child)
  std::string error;
};

// Starts argv as a daemon: a double fork (so it is never our zombie), a new session (setsid),
// stdin/stdout/stderr on /dev/null. With `as`, the daemon switches to its supplementary groups,
// gid and uid (in that order; only those that differ from the host's), changes to its cwd, and
// execs with its environment only (argv[0] looked up on its PATH); without, it keeps the host's
// identity, directory and environment. Returns once the program has been exec'ed (or failed
// to, naming the step); never waits for it to exit.
DetachedResult SpawnDetached(const std::vector<std::string>& argv, const Credentials* as = nullptr);

// Resolves a program name like execvp does ("/x" or "x/y" as given, otherwise the first
// executable regular file named so in `search_path`, $PATH when null); empty if none.
std::string FindExecutable(const std::string& name, const char* search_path = nullptr);

}  // namespace chaosrun::drivers::process
