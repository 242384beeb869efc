// Harness of the end-to-end safety tests (issue 3): runs the REAL chaosrun binary
// (CHAOSRUN_BINARY) with its own --state-dir and --journal-path in a temp dir, on real processes
// that only these tests start (sleep with unique arguments, a forked helper held in vfork, a
// redis-server on a free port). Nothing here measures time: every wait polls a state with a cap.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/json.h"

namespace chaosrun::safety_test {

// Polls `done` (1 ms growing to 20 ms pauses) for at most `cap`; never used to measure time.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds cap = std::chrono::seconds(20));

// The state letter of /proc/PID/stat ('?' once the pid is gone).
char StateOf(pid_t pid);
// Running (S, R or D) — not stopped (T/t), not a zombie, not gone.
bool IsRunning(pid_t pid);
bool IsStopped(pid_t pid);

std::string ReadFile(const std::string& path);
bool Exists(const std::string& path);
void Touch(const std::string& path);
// Number of complete lines of the file (0 when absent).
size_t LineCount(const std::string& path);
// True when the ledger in `state_dir` is absent or empty (size 0).
bool LedgerEmpty(const std::string& state_dir);

// A started chaosrun process with stdout/stderr captured to files.
struct Chaosrun {
  pid_t pid = -1;
  std::string out_path, err_path;
  int exit_code = -1;          // after Wait(): the exit status, or 128 + signal
  std::string Output() const;  // "stdout:\n...\nstderr:\n..." for failure messages
};

// Starts `chaosrun ARGS...` (stdin /dev/null, stdout/stderr to files in `dir`).
Chaosrun StartChaosrun(const std::vector<std::string>& args, const std::string& dir,
                       const std::string& tag);
// Waits (at most `cap`) for it to exit; on timeout SIGKILLs it and returns false.
bool WaitChaosrun(Chaosrun& c, std::chrono::milliseconds cap = std::chrono::seconds(60));
// Runs it to completion.
Chaosrun RunChaosrun(const std::vector<std::string>& args, const std::string& dir,
                     const std::string& tag);

// Starts argv as our child (stdin/stdout/stderr on /dev/null). Aborts the test on failure.
pid_t Spawn(const std::vector<std::string>& argv);
// SIGCONT + SIGKILL + reap (a child of ours or an adopted orphan).
void KillAndReap(pid_t pid);
// Reaps every exited child (we are the subreaper of orphans left by killed runners).
void ReapExited();

// Whether our child `pid` was stopped or continued since the last call (waitpid WUNTRACED |
// WCONTINUED | WNOHANG): proof that nobody signalled it.
bool WasStoppedOrContinued(pid_t pid);

// Pids whose command line (NULs as spaces) contains `needle`.
std::vector<pid_t> PidsWithCmdline(const std::string& needle);

// A blocked flock waiter of process `pid` in /proc/locks.
bool BlockedOnFlock(pid_t pid);

// Signal `sig` pending (shared or private) for `pid`.
bool SignalPending(pid_t pid, int sig);

Json LoadJson(const std::string& path);

// A free TCP port on 127.0.0.1 (bound and closed).
int FreePort();

// `"` + text with JSON escapes + `"`.
std::string Quote(const std::string& text);

}  // namespace chaosrun::safety_test
