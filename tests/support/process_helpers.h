// Helpers for tests that start real child processes: catching orphans, proving a process group
// is gone, blocking signals like the engine does, and a FIFO handshake so a test learns that a
// child reached a point without sleeping.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <string>

namespace chaosrun::testing {

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
