// Run-shaping choices: hypothesis and rollback strategies, dry modes, and the rules that turn a
// run's outcome into rollback decisions and exit codes (ctk-spec §8.1, §8.5, §8.6, §8.9, with
// chaosrun's decisions D1 and D2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace chaosrun::engine {

enum class HypothesisStrategy {
  kDefault,
  kBeforeMethodOnly,
  kAfterMethodOnly,
  kDuringMethodOnly,
  kContinuously,
};
enum class RollbackStrategy { kDefault, kAlways, kNever, kDeviated };
enum class DryMode { kNone, kProbes, kActions, kActivities, kPause };

// Parsing accepts exactly the reference's spellings (plus the deprecated "continously").
std::optional<HypothesisStrategy> ParseHypothesisStrategy(std::string_view s);
std::optional<RollbackStrategy> ParseRollbackStrategy(std::string_view s);
std::optional<DryMode> ParseDryMode(std::string_view s);  // "" is not a mode
std::string_view Name(HypothesisStrategy s);
std::string_view Name(RollbackStrategy s);
std::string_view Name(DryMode d);

// The experiment's `runtime` block, overridden by the command line. As the reference does, a
// `runtime` block that lacks a sub-key means `default` for that strategy.
struct Strategies {
  HypothesisStrategy hypothesis = HypothesisStrategy::kDefault;
  RollbackStrategy rollback = RollbackStrategy::kDefault;
};
Strategies ResolveStrategies(const Json& experiment, std::optional<HypothesisStrategy> cli_h,
                             std::optional<RollbackStrategy> cli_r);

bool RunsBefore(HypothesisStrategy s);
bool RunsDuring(HypothesisStrategy s);
bool RunsAfter(HypothesisStrategy s);

enum class RunStatus { kNone, kCompleted, kFailed, kAborted, kInterrupted };
std::string_view Name(RunStatus s);

// Whether the experiment's own rollbacks are played (§8.5). `harsh` is SIGUSR2: never.
bool ShouldPlayRollbacks(RollbackStrategy strategy, RunStatus status, bool deviated, bool harsh);

// Exit code of `run`: 1 if the status is not completed or the run deviated, else 0 (§8.6).
int RunExitCode(RunStatus status, bool deviated);

// Whether an activity is skipped in a dry mode, and whether its pauses are.
bool SkipsExecution(DryMode mode, bool is_probe);
bool SkipsPauses(DryMode mode, bool is_probe);
// Tolerances are not evaluated (met) under probes/activities.
bool SkipsTolerance(DryMode mode);

}  // namespace chaosrun::engine
