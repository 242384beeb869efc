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
  // An activity starts (after its `pauses.before`): the activity as written, its provider as
  // substituted (what runs: argv, URL, driver arguments; unredacted, so print it through the
  // logger) and whether a dry mode skips it.
  virtual void OnActivityStarted(Phase /*phase*/, const Json& /*activity*/,
                                 const Json& /*provider*/, bool /*dry*/) {}
  // An activity's `pauses.before` / `pauses.after` ("before" or "after") starts.
  virtual void OnPause(Phase /*phase*/, const Json& /*activity*/, std::string_view /*which*/,
                       double /*seconds*/) {}
  // `record` is the finished run record (activity, output, status, ...).
  virtual void OnActivityFinished(Phase /*phase*/, const Json& /*record*/) {}
  // `state` is {steady_state_met, probes}.
  virtual void OnHypothesisFinished(Phase /*phase*/, const Json& /*state*/) {}
  virtual void OnPhaseSkipped(Phase /*phase*/, std::string_view /*why*/) {}
  virtual void OnInterrupted(std::string_view /*reason*/) {}
  virtual void OnRunFinished(const Json& /*journal*/) {}
};

}  // namespace chaosrun::engine
