// Helpers for tests that start real child processes: catching orphans, proving a process group
// is gone, blocking signals like the engine does, and a FIFO handshake so a test learns that a
// child reached a point without sleeping.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <string>
#include <vector>

namespace chaosrun::testing {

// Where a spawned child's standard streams go (every test's one way to start a real process).
struct SpawnFiles {
  std::string stdin_path = "/dev/null";
  std::string stdout_path;     // "" = inherited from the test
  std::string stderr_path;     // "" = inherited from the test
  bool append_stdout = false;  // O_APPEND instead of O_TRUNC
  bool append_stderr = false;
  bool stderr_to_stdout = false;   // stderr is a copy of stdout (stderr_path is then ignored)
  bool own_process_group = false;  // the child leads a new process group (kill(-pid, ...))
  mode_t mode = 0644;              // of files created
  const std::vector<std::string>* env = nullptr;  // "K=V" entries; null = the test's environ
};

// Starts argv (argv[0] searched on the PATH unless it holds a '/') with an empty signal mask
// (a test may block signals, as the engine does; the child must not inherit that) and its
// streams redirected as `files` says. Returns the pid, or -1 with the reason in *error.
pid_t SpawnWithFiles(const std::vector<std::string>& argv, const SpawnFiles& files,
                     std::string* error = nullptr);

// Blocks until `pid` ends: its exit code, 128 + the signal that killed it, or -1 (not our child).
int WaitForExit(pid_t pid);

// SpawnWithFiles, then WaitForExit: the exit code, or -1 when it could not start (*error says why).
int RunWithFiles(const std::vector<std::string>& argv, const SpawnFiles& files,
                 std::string* error = nullptr);

// Makes this process the reaper of orphaned descendants (PR_SET_CHILD_SUBREAPER), so that a
// grandchild killed with its process group can be reaped and proven gone deterministically.
void BecomeChildSubreaper();

// Reaps every child of ours in process group `pgid` (blocking until each has ended), then
// returns true if the group no longer exists (kill(-pgid, 0) fails with ESRCH).
bool ReapAndCheckGroupGone(pid_t pgid);

// Blocks SIGINT, SIGTERM, SIGUSR1 and SIGUSR2 in the calling thread (as the engine does in all
// threads) for the object's lifetime.
class ScopedEngineSignalMask {
 public:
  ScopedEngineSignalMask();
  ~ScopedEngineSignalMask();
  ScopedEngineSignalMask(const ScopedEngineSignalMask&) = delete;
  ScopedEngineSignalMask& operator=(const ScopedEngineSignalMask&) = delete;

 private:
  sigset_t old_;
};

// A named pipe: a child writes a line to it ("echo $$ > FIFO"); ReadLine() blocks until then.
class Fifo {
 public:
  explicit Fifo(std::string path);  // creates it (aborts on failure)
  ~Fifo();
  Fifo(const Fifo&) = delete;
  Fifo& operator=(const Fifo&) = delete;

  const std::string& path() const { return path_; }
  // Waits for a writer, reads to its end of file and returns the text ("" once released).
  std::string ReadAll();
  // Unblocks a ReadAll() waiting for a writer that will never come (e.g. the child failed).
  // Safe from any thread, before or during ReadAll().
  void Release();

 private:
  std::string path_;
  int release_fd_;
};

}  // namespace chaosrun::testing
