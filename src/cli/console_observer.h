// ConsoleObserver: what `chaosrun run` shows while it runs (docs/console.md). Every line passes
// through the logger (so --log-format json and --log-file apply, and secrets are redacted):
//   - each activity when it starts, and its result when it ends: on a terminal the start line is
//     completed in place ("\r" + erase line); otherwise the result is a second line;
//   - pauses with their length, a banner for a dry run and "skipped (dry run)" per dry activity;
//   - a driver fault as one line (faults/describe.h): driver.action, targets, duration, undo;
//   - each continuous-hypothesis check as one line, a deviation warned about once;
//   - with --verbose (debug level), the commands, HTTP requests and responses it runs;
//   - at the end of the run, a summary (console_summary.h): injected, observed, undone, status.
// Callbacks come from several threads (background activities, the continuous hypothesis): one
// mutex orders the lines.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/log.h"
#include "engine/observer.h"

namespace chaosrun::cli {

struct ConsoleOptions {
  // Complete an activity's line in place: stderr is a terminal, the format is text, and no
  // debug line (--verbose) can come between the start and the end of the line.
  bool in_place = false;
};

// Whether stderr is a terminal (the default for ConsoleOptions::in_place, with the format).
bool StderrIsTerminal();

class ConsoleObserver final : public engine::Observer {
 public:
  explicit ConsoleObserver(ConsoleOptions options = {});

  void OnRunStarted(const Json& experiment, const engine::Strategies& strategies) override;
  void OnPhaseStarted(engine::Phase phase) override;
  void OnActivityStarted(engine::Phase phase, const Json& activity, const Json& provider,
                         bool dry) override;
  void OnPause(engine::Phase phase, const Json& activity, std::string_view which,
               double seconds) override;
  void OnActivityFinished(engine::Phase phase, const Json& record) override;
  void OnHypothesisFinished(engine::Phase phase, const Json& state) override;
  void OnPhaseSkipped(engine::Phase phase, std::string_view why) override;
  void OnInterrupted(std::string_view reason) override;
  void OnRunFinished(const Json& journal) override;

 private:
  // A whole line (ends a pending start line first).
  void Emit(log::Level level, const std::string& text);
  // An activity's start line: pending (no newline) when in place, else a whole line.
  void Start(const std::string& text);
  // Completes this thread's pending start line in place, or prints a whole line.
  void Finish(log::Level level, const std::string& text);
  void EndPendingLocked();

  const ConsoleOptions options_;
  std::mutex mu_;
  bool pending_ = false;
  std::thread::id pending_owner_;
  std::map<std::thread::id, std::string> requests_;  // verbose: each thread's HTTP request
  std::map<std::thread::id, bool> dry_;              // each thread's activity is dry
  std::atomic<int> checks_{0};
  std::atomic<bool> deviation_warned_{false};
};

}  // namespace chaosrun::cli
