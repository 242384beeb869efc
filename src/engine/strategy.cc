#include "engine/strategy.h"

namespace chaosrun::engine {

std::optional<HypothesisStrategy> ParseHypothesisStrategy(std::string_view s) {
  if (s == "default") return HypothesisStrategy::kDefault;
  if (s == "before-method-only") return HypothesisStrategy::kBeforeMethodOnly;
  if (s == "after-method-only") return HypothesisStrategy::kAfterMethodOnly;
  if (s == "during-method-only") return HypothesisStrategy::kDuringMethodOnly;
  if (s == "continuously" || s == "continously") return HypothesisStrategy::kContinuously;
  return std::nullopt;
}

std::optional<RollbackStrategy> ParseRollbackStrategy(std::string_view s) {
  if (s == "default") return RollbackStrategy::kDefault;
  if (s == "always") return RollbackStrategy::kAlways;
  if (s == "never") return RollbackStrategy::kNever;
  if (s == "deviated") return RollbackStrategy::kDeviated;
  return std::nullopt;
}

std::optional<DryMode> ParseDryMode(std::string_view s) {
  if (s == "probes") return DryMode::kProbes;
  if (s == "actions") return DryMode::kActions;
  if (s == "activities") return DryMode::kActivities;
  if (s == "pause") return DryMode::kPause;
  return std::nullopt;
}

std::string_view Name(HypothesisStrategy s) {
  switch (s) {
    case HypothesisStrategy::kDefault:
      return "default";
    case HypothesisStrategy::kBeforeMethodOnly:
      return "before-method-only";
    case HypothesisStrategy::kAfterMethodOnly:
      return "after-method-only";
    case HypothesisStrategy::kDuringMethodOnly:
      return "during-method-only";
    case HypothesisStrategy::kContinuously:
      return "continuously";
  }
  return "default";
}

std::string_view Name(RollbackStrategy s) {
  switch (s) {
    case RollbackStrategy::kDefault:
      return "default";
    case RollbackStrategy::kAlways:
      return "always";
    case RollbackStrategy::kNever:
      return "never";
    case RollbackStrategy::kDeviated:
      return "deviated";
  }
  return "default";
}

std::string_view Name(DryMode d) {
  switch (d) {
    case DryMode::kNone:
      return "";
    case DryMode::kProbes:
      return "probes";
    case DryMode::kActions:
      return "actions";
    case DryMode::kActivities:
      return "activities";
    case DryMode::kPause:
      return "pause";
  }
  return "";
}

std::string_view Name(RunStatus s) {
  switch (s) {
    case RunStatus::kNone:
      return "";
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kAborted:
      return "aborted";
    case RunStatus::kInterrupted:
      return "interrupted";
  }
  return "";
}

Strategies ResolveStrategies(const Json& experiment, std::optional<HypothesisStrategy> cli_h,
                             std::optional<RollbackStrategy> cli_r) {
  Strategies out;
  if (experiment.is_object()) {
    auto rt = experiment.find("runtime");
    if (rt != experiment.end() && rt->is_object()) {
      auto get = [&](const char* section) -> std::optional<std::string> {
        auto sec = rt->find(section);
        if (sec == rt->end() || !sec->is_object()) return std::nullopt;
        auto st = sec->find("strategy");
        if (st == sec->end() || !st->is_string()) return std::nullopt;
        return st->get<std::string>();
      };
      if (auto h = get("hypothesis")) {
        out.hypothesis = ParseHypothesisStrategy(*h).value_or(HypothesisStrategy::kDefault);
      }
      if (auto r = get("rollbacks")) {
        // An unknown rollback strategy means rollbacks are never played (reference behaviour;
        // validation rejects it before a run).
        out.rollback = ParseRollbackStrategy(*r).value_or(RollbackStrategy::kNever);
      }
    }
  }
  if (cli_h) out.hypothesis = *cli_h;
  if (cli_r) out.rollback = *cli_r;
  return out;
}

bool RunsBefore(HypothesisStrategy s) {
  return s == HypothesisStrategy::kDefault || s == HypothesisStrategy::kBeforeMethodOnly ||
         s == HypothesisStrategy::kContinuously;
}
bool RunsDuring(HypothesisStrategy s) {
  return s == HypothesisStrategy::kDuringMethodOnly || s == HypothesisStrategy::kContinuously;
}
bool RunsAfter(HypothesisStrategy s) {
  return s == HypothesisStrategy::kDefault || s == HypothesisStrategy::kAfterMethodOnly ||
         s == HypothesisStrategy::kContinuously;
}

bool ShouldPlayRollbacks(RollbackStrategy strategy, RunStatus status, bool deviated, bool harsh) {
  if (harsh) return false;
  switch (strategy) {
    case RollbackStrategy::kDefault:
      return status != RunStatus::kFailed && status != RunStatus::kInterrupted;
    case RollbackStrategy::kAlways:
      return true;
    case RollbackStrategy::kNever:
      return false;
    case RollbackStrategy::kDeviated:
      return deviated;
  }
  return false;
}

int RunExitCode(RunStatus status, bool deviated) {
  return (status == RunStatus::kCompleted && !deviated) ? 0 : 1;
}

bool SkipsExecution(DryMode mode, bool is_probe) {
  switch (mode) {
    case DryMode::kProbes:
      return is_probe;
    case DryMode::kActions:
      return !is_probe;
    case DryMode::kActivities:
      return true;
    default:
      return false;
  }
}

bool SkipsPauses(DryMode mode, bool is_probe) {
  return mode == DryMode::kPause || SkipsExecution(mode, is_probe);
}

bool SkipsTolerance(DryMode mode) {
  return mode == DryMode::kProbes || mode == DryMode::kActivities;
}

}  // namespace chaosrun::engine
