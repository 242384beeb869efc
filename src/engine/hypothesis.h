// The steady-state hypothesis (ctk-spec §8.3, §8.10): probes run in order; a failed probe or a
// missed tolerance stops the hypothesis as "not met". The continuous variant runs it on its own
// thread every `frequency` seconds (measured between iterations, on the injected clock) while
// the method runs.
#pragma once

#include <functional>
#include <mutex>
#include <thread>

#include "common/json.h"
#include "engine/context.h"

namespace chaosrun::engine {

struct HypothesisResult {
  Json state;  // {"steady_state_met": bool, "probes": [records with tolerance_met]}
  bool met = false;
  bool errored = false;  // a probe failed (ActivityFailed): the run becomes "failed"
  bool interrupted = false;
};

HypothesisResult RunHypothesis(const Json& hypothesis, RunContext& ctx, Phase phase);

// True when the hypothesis exists and has at least one probe.
bool HasHypothesis(const Json& experiment);

class ContinuousHypothesis {
 public:
  struct Options {
    double frequency_seconds = 1.0;
    bool fail_fast = false;
    double fail_fast_ratio = 0.0;  // percent; 0: the first deviation fails the run
  };
  // `sink` receives each iteration's state (appended to steady_states.during).
  ContinuousHypothesis(const Json& hypothesis, RunContext& ctx, Options options,
                       std::function<void(const Json&)> sink);
  ~ContinuousHypothesis();
  ContinuousHypothesis(const ContinuousHypothesis&) = delete;
  ContinuousHypothesis& operator=(const ContinuousHypothesis&) = delete;

  void Start();
  // Asks the loop to stop and waits for the iteration in progress to finish.
  void Stop();

 private:
  void Loop();

  const Json& hypothesis_;
  RunContext& ctx_;
  Options options_;
  std::function<void(const Json&)> sink_;
  CancelSource stop_;
  std::thread thread_;
};

}  // namespace chaosrun::engine
