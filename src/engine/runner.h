// Runner: one experiment run from resolved configuration to journal (ctk-spec §8.2, with the
// decisions of §0). The runner owns no globals: the clock, the provider dispatcher and the
// observer are injected. Interrupt() may be called from any thread (the CLI's signal thread)
// at any time, including before Run() starts or after it returns.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "engine/context.h"
#include "engine/fault_hooks.h"
#include "engine/observer.h"
#include "engine/strategy.h"
#include "providers/provider.h"
#include "subst/configuration.h"

namespace chaosrun::engine {

struct RunOptions {
  DryMode dry = DryMode::kNone;
  std::optional<HypothesisStrategy> hypothesis_strategy;  // command line overrides
  std::optional<RollbackStrategy> rollback_strategy;
  double hypothesis_frequency = 1.0;  // seconds between continuous-hypothesis iterations
  bool fail_fast = false;
  double fail_fast_ratio = 0.0;
  subst::Overrides overrides;    // --var / --var-file
  subst::EnvLookup env;          // defaults to the process environment
  FaultHooks* faults = nullptr;  // driver faults: undone at the end whatever the strategy
  double deadline_seconds = 0;   // > 0: the run is interrupted when it lasts longer
  // Python providers and controls (docs/python.md): --python PATH ("" = $CHAOSRUN_PYTHON, else
  // python3 on the PATH), and --control-file paths (JSON/YAML maps name -> control, global).
  std::string python;
  std::vector<std::string> control_files;
};

struct RunResult {
  Json journal;
  RunStatus status = RunStatus::kNone;
  bool deviated = false;
  int exit_code = 1;
};

class Runner {
 public:
  Runner(Clock& clock, providers::Dispatcher& dispatcher, Observer& observer);
  ~Runner();

  // Runs `experiment` (the raw, loaded document). Always returns a journal.
  RunResult Run(const Json& experiment, const RunOptions& options);

  // Interrupts the current (or next) run: the running activity is cut short, the method stops,
  // the after-hypothesis is skipped and rollbacks follow the strategy (none for SIGUSR2).
  void Interrupt(InterruptKind kind, const std::string& reason);

 private:
  Clock& clock_;
  providers::Dispatcher& dispatcher_;
  Observer& observer_;
  std::mutex mu_;
  RunContext* current_ = nullptr;
  std::optional<std::pair<InterruptKind, std::string>> pending_;
};

// Resolves configuration, secrets and dynamic configuration into `ctx.scope`, and registers
// every secret value with the global redactor.
Status PrepareScope(const Json& experiment, const RunOptions& options, RunContext& ctx);

}  // namespace chaosrun::engine
