// Signal handling for a run (ctk-spec §8.7). SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2
// are blocked in every thread (call BlockRunSignals() before starting any thread) and read from a
// signalfd by one watcher thread, which turns them into Runner::Interrupt calls, in any phase of
// the run (the hypotheses, the method, the rollbacks and the final undo). Children get the signals
// unblocked again (the process provider resets the mask on spawn).
#pragma once

#include <functional>
#include <thread>

#include "engine/context.h"

namespace chaosrun::cli {

// Blocks the run signals in the calling thread (and so in threads it starts later), and ignores
// SIGPIPE for the whole process. A SIGINT that was ignored when chaosrun started stays ignored
// (as the reference does).
void BlockRunSignals();

class SignalWatcher {
 public:
  using Handler = std::function<void(engine::InterruptKind, const std::string& reason)>;
  explicit SignalWatcher(Handler handler);
  ~SignalWatcher();  // stops and joins the watcher thread
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void Loop();
  Handler handler_;
  int signal_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace chaosrun::cli
