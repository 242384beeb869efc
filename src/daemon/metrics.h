// The daemon's Prometheus metrics (text exposition format 0.0.4): a snapshot of plain numbers
// taken under the daemon's lock, rendered here without it. Every family has its HELP and TYPE
// lines once, label values are escaped (backslash, double quote, newline).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chaosrun::daemon {

struct ScheduleMetrics {
  double lag_seconds = 0;
  uint64_t missed_fires = 0;
  uint64_t skipped_fires = 0;
  std::optional<double> last_success;  // seconds since the epoch
};

struct MetricsSnapshot {
  std::map<std::string, uint64_t> runs_by_outcome;  // completed, failed, aborted, interrupted, ...
  uint64_t runs_in_progress = 0;
  uint64_t runs_queued = 0;
  uint64_t faults_applied = 0;
  uint64_t faults_undone = 0;
  uint64_t undo_failures = 0;  // faults left applied at a run's end + failed recoveries
  uint64_t ledger_pending = 0;
  uint64_t interrupted_runs_found = 0;
  uint64_t webhook_failures = 0;
  uint64_t reloads_total = 0;
  uint64_t reload_failures = 0;
  bool halted = false;
  std::map<std::string, ScheduleMetrics> schedules;
};

// `"a\"b"` -> `a\"b` as a label value (\\, \", \n).
std::string EscapeLabelValue(std::string_view value);

std::string RenderMetrics(const MetricsSnapshot& m);

}  // namespace chaosrun::daemon
