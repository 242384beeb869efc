// ConsoleObserver: prints one readable line per phase and activity of a run through the logger
// (so --log-format json and --log-file apply, and secrets are redacted).
#pragma once

#include "engine/observer.h"

namespace chaosrun::cli {

class ConsoleObserver final : public engine::Observer {
 public:
  void OnRunStarted(const Json& experiment, const engine::Strategies& strategies) override;
  void OnPhaseStarted(engine::Phase phase) override;
  void OnActivityFinished(engine::Phase phase, const Json& record) override;
  void OnHypothesisFinished(engine::Phase phase, const Json& state) override;
  void OnPhaseSkipped(engine::Phase phase, std::string_view why) override;
  void OnInterrupted(std::string_view reason) override;
  void OnRunFinished(const Json& journal) override;
};

}  // namespace chaosrun::cli
