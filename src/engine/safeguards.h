// Safeguards: probes with tolerances, declared under the experiment's top-level `safeguards`
// key, that must hold for the experiment to go on:
//   "safeguards": {"frequency": 2, "probes": [{"type": "probe", "name": ..., "tolerance": ...}]}
// (a bare list of probes is also accepted, with a frequency of 1 s). They run once before the
// method and then every `frequency` seconds (injected clock) while it runs. The first failure
// interrupts the run (status "interrupted", the reason in the journal), which stops the method
// and undoes every fault. The same loop watches the kill switch and the run deadline.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "common/json.h"
#include "engine/context.h"

namespace chaosrun::engine {

struct SafeguardSpec {
  Json probes = Json::array();
  double frequency_seconds = 1.0;
  bool empty() const { return probes.empty(); }
};

// Reads the `safeguards` key of an experiment (absent → empty).
SafeguardSpec ParseSafeguards(const Json& experiment);

class SafeguardMonitor {
 public:
  using Check = std::function<std::optional<std::string>()>;  // a reason to stop, or nothing
  SafeguardMonitor(SafeguardSpec spec, RunContext& ctx, Check extra_check,
                   std::function<void(const Json&)> sink);
  ~SafeguardMonitor();
  SafeguardMonitor(const SafeguardMonitor&) = delete;
  SafeguardMonitor& operator=(const SafeguardMonitor&) = delete;

  // One pass over the safeguards and the extra check; the reason if the run must stop.
  std::optional<std::string> CheckOnce();
  void Start();  // the loop interrupts the run itself on failure
  void Stop();
  // The first failure's reason (empty if none).
  std::string failure() const;

 private:
  void Loop();
  SafeguardSpec spec_;
  RunContext& ctx_;
  Check extra_check_;
  std::function<void(const Json&)> sink_;
  CancelSource stop_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::string failure_;
};

}  // namespace chaosrun::engine
