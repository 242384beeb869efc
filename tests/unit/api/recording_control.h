// A daemon::Control for the API tests that records every call and answers with fixed data. A
// stand-in, not a mock of behaviour: the real daemon (src/daemon/) is tested end to end by its
// own tests; here the point is what the API lets through to the daemon, and what it refuses
// before any call. Its fault proxy is a real proxy::Engine.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "daemon/control.h"
#include "proxy/engine.h"

namespace chaosrun::apitest {

class RecordingControl : public daemon::Control {
 public:
  // Every call so far, e.g. "StartRun latency-drill {"port":8080}", in order.
  std::vector<std::string> Calls() const;
  void ClearCalls();
  daemon::RunFilter last_filter() const;
  void set_stopping(bool stopping);

  Json ListExperiments() override;
  Json ListSchedules() override;
  Result<Json> SetSchedulePaused(const std::string& name, bool paused) override;
  Json ListRuns(const daemon::RunFilter& filter) override;
  Result<Json> GetRun(const std::string& id) override;
  Result<Json> StartRun(const std::string& experiment, const subst::Overrides& vars) override;
  Result<Json> AbortRun(const std::string& id) override;
  Status SetHalt(bool on, const std::string& reason) override;
  bool Halted() override;
  std::string Metrics() override;
  Json Health() override;
  proxy::Engine& ProxyEngine() override;

 private:
  void Record(std::string call);

  mutable std::mutex mu_;
  std::vector<std::string> calls_;
  daemon::RunFilter filter_;
  bool halted_ = false;
  bool stopping_ = false;
  proxy::Engine engine_;
};

// Names the fixed data knows.
inline constexpr const char* kExperiment = "latency-drill";
inline constexpr const char* kBusyExperiment = "busy-drill";  // StartRun: kUnavailable
inline constexpr const char* kSchedule = "nightly";
inline constexpr const char* kEndedRun = "run-1";    // GetRun ok; AbortRun: kFailedPrecondition
inline constexpr const char* kRunningRun = "run-2";  // StartRun returns it; AbortRun ok

}  // namespace chaosrun::apitest
