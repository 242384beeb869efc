// What the daemon's HTTP API (src/api/) may ask of the daemon: the seam between the two. The
// daemon (src/daemon/daemon.h) implements it; the API validates, authenticates and shapes
// requests and responses, and calls only these. Every argument has already been checked by the
// API (names, sizes); the daemon checks again what touches the file system (a name is resolved
// only inside the experiments directory).
//
// Thread-safety: every method may be called from any API thread at any time, concurrently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "subst/configuration.h"

namespace chaosrun::proxy {
class Engine;
}

namespace chaosrun::daemon {

struct RunFilter {
  std::string schedule;  // "" = any
  std::string outcome;   // "" = any; else a journal status or "running"
  size_t offset = 0;
  size_t limit = 50;
};

class Control {
 public:
  virtual ~Control() = default;

  // [{"name", "path", "title"}], the experiments directory's files (.json, .yaml, .yml).
  virtual Json ListExperiments() = 0;
  // [{"name", "experiment", "cron", "timezone", "paused", "next_fire", "last_fire",
  //   "last_outcome", "missed_fires", ...}]
  virtual Json ListSchedules() = 0;
  // kNotFound for an unknown schedule.
  virtual Result<Json> SetSchedulePaused(const std::string& name, bool paused) = 0;

  // {"runs": [summary...], "total": N}; a summary is {"id", "schedule", "experiment", "status",
  // "deviated", "exit_code", "started", "ended", "faults": {...}}.
  virtual Json ListRuns(const RunFilter& filter) = 0;
  // The stored journal of a finished run, the live summary of one in progress; kNotFound.
  virtual Result<Json> GetRun(const std::string& id) = 0;
  // Queues a run of `experiment` (a name in the experiments directory) with overrides; returns
  // its summary. kNotFound (no such experiment), kUnavailable (queue full, halted, stopping).
  virtual Result<Json> StartRun(const std::string& experiment, const subst::Overrides& vars) = 0;
  // Interrupts a queued or running run (its faults are undone); kNotFound, or
  // kFailedPrecondition when it has already ended.
  virtual Result<Json> AbortRun(const std::string& id) = 0;

  // The kill switch: set (every run is interrupted, none starts) or cleared.
  virtual Status SetHalt(bool on, const std::string& reason) = 0;
  virtual bool Halted() = 0;

  // The Prometheus text exposition of the daemon's metrics (text/plain; version=0.0.4).
  virtual std::string Metrics() = 0;
  // {"status": "ok"|"stopping", "runs_in_progress": N, ...}
  virtual Json Health() = 0;

  // The fault proxy the daemon hosts (its Toxiproxy-compatible API is served under
  // /toxiproxy/ with proxy_api::Route); never null while the daemon runs.
  virtual proxy::Engine& ProxyEngine() = 0;
};

}  // namespace chaosrun::daemon
