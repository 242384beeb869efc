// Starting a child process and collecting its output, for the `process` provider.
//
// The child runs in a new process group with an empty signal mask and default dispositions for
// the signals the engine handles (it blocks them in every thread and uses sigwait). stdin is
// inherited; stdout and stderr are captured through pipes. The caller's thread waits with one
// ppoll() on both pipes, a pidfd for the child (a helper thread waiting with waitid(WNOWAIT) when
// pidfd_open is unavailable) and the cancellation eventfd: no busy loop, no sleep. On timeout or
// cancellation the whole process group is killed with SIGKILL, then the child is reaped. The
// child is reaped before returning in every case; no descriptor outlives the call.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/cancel.h"
#include "common/status.h"

namespace chaosrun::providers {

inline constexpr size_t kDefaultMaxCapture = size_t{64} << 20;  // per stream

struct SpawnOptions {
  std::optional<std::chrono::nanoseconds> timeout;  // nullopt: wait forever
  size_t max_capture = kDefaultMaxCapture;          // bytes kept per stream; the rest is drained
  // Called right after a successful spawn with the child's pid (= its process group id).
  std::function<void(pid_t)> on_spawn;
  // Testing: watch the child's exit with the helper thread even where pidfd_open works.
  bool force_wait_thread = false;
};

struct ProcessResult {
  enum class End { kExited, kTimedOut, kCancelled };
  End end = End::kExited;
  int status = 0;   // exit code, or -signal number when killed by a signal (as Python reports it)
  std::string out;  // raw bytes, at most max_capture
  std::string err;
  bool out_truncated = false;
  bool err_truncated = false;
};

// Spawns argv[0] (an absolute or relative path; no PATH search) with argv and the current
// environment. A Status only when the process could not be started (or the OS refused pipes).
Result<ProcessResult> SpawnAndWait(const std::vector<std::string>& argv, const CancelToken& cancel,
                                   const SpawnOptions& options);

}  // namespace chaosrun::providers
