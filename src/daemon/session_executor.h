// The real RunExecutor: each run is a session::Session (the same pipeline as `chaosrun run`).
#pragma once

#include "daemon/executor.h"

namespace chaosrun::daemon {

class SessionExecutor final : public RunExecutor {
 public:
  std::unique_ptr<RunHandle> Prepare(const RunSpec& spec) override;
  Result<session::RecoverSummary> Recover(const session::Environment& env) override;
};

}  // namespace chaosrun::daemon
