// Observer: what the engine reports while it runs. The CLI prints one line per event; tests
// record events and assert on them (never on log text). Callbacks may come from several threads
// (background activities, the continuous hypothesis); implementations must be thread-safe and
// must not block for long.
#pragma once

#include <string_view>

#include "common/json.h"
#include "engine/strategy.h"

namespace chaosrun::engine {

enum class Phase {
  kHypothesisBefore,
  kMethod,
  kHypothesisDuring,
  kHypothesisAfter,
  kRollbacks,
  kSafeguards,
};
std::string_view Name(Phase p);

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnRunStarted(const Json& /*experiment*/, const Strategies& /*strategies*/) {}
  virtual void OnPhaseStarted(Phase /*phase*/) {}
  // `record` is the finished run record (activity, output, status, ...).
  virtual void OnActivityFinished(Phase /*phase*/, const Json& /*record*/) {}
  // `state` is {steady_state_met, probes}.
  virtual void OnHypothesisFinished(Phase /*phase*/, const Json& /*state*/) {}
  virtual void OnPhaseSkipped(Phase /*phase*/, std::string_view /*why*/) {}
  virtual void OnInterrupted(std::string_view /*reason*/) {}
  virtual void OnRunFinished(const Json& /*journal*/) {}
};

}  // namespace chaosrun::engine
