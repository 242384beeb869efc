// FaultManager: the only path by which a driver action changes the world.
//
//   prepare (driver, no side effects) → halt check → guard (blast radius, duration)
//   → ledger intent + undo, fsync → apply → ledger applied → [watchdog deadline]
//   ... → undo (reverse order) → ledger reverted
//
// Every applied fault is undone by UndoAll() at the end of a run, on interruption, on a
// safeguard failure, or by the watchdog when its maximum duration passes — whatever the
// experiment's rollback strategy. A fault whose undo cannot be computed (prepare fails or
// returns no undo) is refused, as is any fault while the kill switch (halt file) is set; a
// refused fault, and one whose apply failed, is an Outcome::Refused naming the phase.
//
// Every undo is bounded (faults/bounded_undo.h): an undo that fails or passes its limit is
// recorded `undo-failed` and the fault stays in the ledger. The watchdog retries a failed undo
// with a backoff (1 s doubling to 30 s); the ledger gets at most kMaxUndoFailedRecords
// `undo-failed` records per fault (the first failure, then only when the error changes), the
// log the first failure, each change and every kLogEveryFailures-th, and the journal one
// watchdog record per fault (the last, with its "attempts").
// Thread-safe: background activities, the watchdog and the signal path may call concurrently.
// Nothing here throws: a driver or JSON error becomes a failed activity or a failed undo.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/cancel.h"
#include "common/clock.h"
#include "common/json.h"
#include "faults/bounded_undo.h"
#include "guard/guard.h"
#include "ledger/ledger.h"
#include "plugin/registry.h"
#include "providers/provider.h"

namespace chaosrun::faults {

inline constexpr int kMaxUndoFailedRecords = 5;
inline constexpr int kLogEveryFailures = 10;
inline constexpr double kFirstRetrySeconds = 1;
inline constexpr double kMaxRetrySeconds = 30;

struct Options {
  std::string run_id;
  std::string state_dir;  // the ledger and the halt file live here
  // An INFO line per applied fault, with its id: for a run without a console (chaosrund), whose
  // log is the only record; the CLI's console shows each fault itself.
  bool log_applied = false;
};

class FaultManager {
 public:
  // `ledger` may be null until the first fault: it is opened lazily in `state_dir`.
  FaultManager(plugin::Registry& registry, guard::Guard& guard, Clock& clock, Options options);
  // Stops the watchdog (does NOT undo: call UndoAll first), then records every fault still
  // applied as released in the ledger (see ledger.h), for `recover`.
  ~FaultManager();
  FaultManager(const FaultManager&) = delete;
  FaultManager& operator=(const FaultManager&) = delete;

  // A `driver` provider block: {"type": "driver", "driver": NAME, "func": F, "arguments": {...},
  // "duration": seconds?}. Actions go through the fault lifecycle; probes are one call.
  providers::Outcome Run(const Json& activity, const Json& provider, const CancelToken& cancel);

  // Undoes every fault still applied (a failed one is tried once more), newest first. Returns
  // one journal run record per undo. Once `hurry` is cancelled the undo in flight is abandoned
  // after kUndoGraceSeconds and every later one gets only that grace as its limit.
  Json UndoAll(const std::string& reason, const CancelToken& hurry = CancelToken());

  // The drivers faults come from (what a driver provider's func is: faults/func_kind.h).
  const plugin::Registry& registry() const { return registry_; }

  // Summary of every fault of this run for the journal's "faults" key.
  Json Summary() const;
  size_t applied_count() const;
  // Undo records produced by the watchdog so far (for the journal).
  Json TakeWatchdogRecords();

 private:
  struct Fault {
    std::string id;
    std::string activity;
    plugin::Driver* driver = nullptr;
    std::string func;
    Json undo;
    std::vector<std::string> targets;
    std::string shown;             // "process.stop on python3 (pid 12)" (faults/describe.h)
    std::string undo_description;  // "SIGCONT pid 12"
    std::optional<Clock::SteadyTime> deadline;
    bool applied = false;
    bool undone = false;
    std::string undo_error;
    std::string undone_by;                           // "end of run", "watchdog", ...
    double undo_limit = kDefaultUndoTimeoutSeconds;  // seconds
    int undo_failures = 0;                           // failed or abandoned undos so far
    int failed_records = 0;                          // "undo-failed" records written to the ledger
    Clock::Duration backoff{};
    std::optional<Clock::SteadyTime> next_retry;  // the watchdog's next try after a failure
    std::shared_ptr<UndoAttempt> stuck;           // an abandoned undo that has not returned
    int watchdog_attempts = 0;
  };

  providers::Outcome RunAction(const Json& activity, plugin::Driver& driver,
                               const std::string& func, const Json& provider,
                               const CancelToken& cancel);
  providers::Outcome RunActionPhases(const Json& activity, plugin::Driver& driver,
                                     const std::string& func, const Json& provider,
                                     const CancelToken& cancel);
  Status EnsureLedger();
  Status EnsureWatchdog();
  Json UndoOne(Fault& f, const std::string& reason, const CancelToken& hurry);
  plugin::CallResult AttemptUndo(Fault& f, const CancelToken& hurry);
  void NoteUndoResult(Fault& f, const std::string& reason, const plugin::CallResult& r);
  void WatchdogLoop();
  void WatchdogTurn(const CancelToken& wake);

  plugin::Registry& registry_;
  guard::Guard& guard_;
  Clock& clock_;
  Options options_;
  std::unique_ptr<ledger::Ledger> ledger_;

  mutable std::mutex mu_;  // guards faults_ and ledger_ creation
  std::vector<std::unique_ptr<Fault>> faults_;
  std::mutex undo_mu_;  // one undo at a time (watchdog vs end of run)
  CancelSource stop_watchdog_;
  // Hurries the watchdog's undos: at shutdown, and when the final UndoAll is hurried.
  CancelSource watchdog_hurry_;
  std::mutex wake_mu_;
  std::unique_ptr<CancelSource> wake_;  // replaced each time the deadlines change
  // The last watchdog undo record of each fault, in first-seen order (guarded by undo_mu_).
  std::vector<std::pair<std::string, Json>> watchdog_records_;
  std::mutex watchdog_mu_;  // guards watchdog_ (started with the first fault)
  std::thread watchdog_;
};

// The kill switch: a file named "halt" in the state directory.
std::string HaltFilePath(const std::string& state_dir);
bool Halted(const std::string& state_dir);

}  // namespace chaosrun::faults
