// FaultManager: the only path by which a driver action changes the world.
//
//   prepare (driver, no side effects) → halt check → guard (blast radius, duration)
//   → ledger intent + undo, fsync → apply → ledger applied → [watchdog deadline]
//   ... → undo (reverse order) → ledger reverted
//
// Every applied fault is undone by UndoAll() at the end of a run, on interruption, on a
// safeguard failure, or by the watchdog when its maximum duration passes — whatever the
// experiment's rollback strategy. A fault whose undo cannot be computed (prepare fails or
// returns no undo) is refused, as is any fault while the kill switch (halt file) is set.
// Thread-safe: background activities, the watchdog and the signal path may call concurrently.
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
#include "guard/guard.h"
#include "ledger/ledger.h"
#include "plugin/registry.h"
#include "providers/provider.h"

namespace chaosrun::faults {

struct Options {
  std::string run_id;
  std::string state_dir;  // the ledger and the halt file live here
};

class FaultManager {
 public:
  // `ledger` may be null until the first fault: it is opened lazily in `state_dir`.
  FaultManager(plugin::Registry& registry, guard::Guard& guard, Clock& clock, Options options);
  ~FaultManager();  // stops the watchdog (does NOT undo: call UndoAll first)
  FaultManager(const FaultManager&) = delete;
  FaultManager& operator=(const FaultManager&) = delete;

  // A `driver` provider block: {"type": "driver", "driver": NAME, "func": F, "arguments": {...},
  // "duration": seconds?}. Actions go through the fault lifecycle; probes are one call.
  providers::Outcome Run(const Json& activity, const Json& provider, const CancelToken& cancel);

  // Undoes every fault still applied, newest first. Returns one journal run record per undo.
  Json UndoAll(const std::string& reason);

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
    std::optional<Clock::SteadyTime> deadline;
    bool applied = false;
    bool undone = false;
    std::string undo_error;
    std::string undone_by;  // "end of run", "watchdog", ...
  };

  providers::Outcome RunAction(const Json& activity, plugin::Driver& driver,
                               const std::string& func, const Json& provider,
                               const CancelToken& cancel);
  Status EnsureLedger();
  Json UndoOne(Fault& f, const std::string& reason);
  void WatchdogLoop();

  plugin::Registry& registry_;
  guard::Guard& guard_;
  Clock& clock_;
  Options options_;
  std::unique_ptr<ledger::Ledger> ledger_;

  mutable std::mutex mu_;  // guards faults_ and ledger_ creation
  std::vector<std::unique_ptr<Fault>> faults_;
  std::mutex undo_mu_;  // one undo at a time (watchdog vs end of run)
  CancelSource stop_watchdog_;
  std::mutex wake_mu_;
  std::unique_ptr<CancelSource> wake_;     // replaced each time the deadlines change
  Json watchdog_records_ = Json::array();  // guarded by undo_mu_
  std::thread watchdog_;
};

// The kill switch: a file named "halt" in the state directory.
std::string HaltFilePath(const std::string& state_dir);
bool Halted(const std::string& state_dir);

}  // namespace chaosrun::faults
