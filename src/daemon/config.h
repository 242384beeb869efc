// chaosrund's configuration file (JSON or YAML, docs/daemon.md "Configuration"): parsed once into
// an immutable DaemonConfig. Every problem is collected with its JSON pointer, so an operator sees
// all of them at once; unknown keys are errors. A config with any problem is never used (the
// daemon refuses to start, or a SIGHUP reload keeps the old one).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "scheduler/schedule.h"

namespace chaosrun::daemon {

inline constexpr const char* kDefaultListen = "127.0.0.1:8475";

struct RunLimits {
  size_t max_concurrent_runs = 2;
  size_t queue_size = 16;              // runs waiting for a slot; a full queue is kUnavailable
  double run_deadline_seconds = 3600;  // per-run deadline unless the schedule sets one; 0 = none
  size_t api_history_limit = 100;      // journals kept of runs started through the API
};

struct WebhookLimits {
  double timeout_seconds = 5;
  int attempts = 3;            // tries in all (the first + retries)
  double backoff_seconds = 1;  // before the 2nd try; doubled before each next one
};

struct DaemonConfig {
  std::string source;  // the file it came from ("" when parsed from a value)

  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8475;
  std::string token_file;
  std::string state_dir;        // absolute; "" = ledger::DefaultStateDir()
  std::string experiments_dir;  // absolute, must exist
  std::vector<std::string> driver_dirs;
  bool installed_drivers = true;
  std::string policy_path;       // "" = the default policy if present
  Json proxies = Json::array();  // Toxiproxy populate entries, checked
  std::vector<scheduler::Schedule> schedules;
  RunLimits limits;
  WebhookLimits webhooks;
  size_t api_max_body_bytes = 1 << 20;
  bool allow_remote = false;  // listen on a non-loopback address
};

struct ConfigProblem {
  std::string pointer;  // "/schedules/2/cron"; "" = the document itself
  std::string message;
};

// "<pointer>: <message>" lines, one per problem.
std::string FormatProblems(const std::vector<ConfigProblem>& problems);

// Checks and converts a loaded document. Relative paths are resolved against `base_dir` (the
// config file's directory). Paths that must exist (experiments_dir, driver_dirs, policy,
// token_file) are checked here, so a start or a reload fails before anything changes.
DaemonConfig ParseConfig(const Json& doc, const std::string& base_dir,
                         std::vector<ConfigProblem>& problems);

// Schedules whose `experiment` is not (or not yet) a file of experiments_dir, as Daemon::ResolveIn
// finds them: one warning at /schedules/N/experiment each. Not an error: an experiment may be
// deployed after the configuration; until it is there, its fires are skipped (not-started).
std::vector<ConfigProblem> ScheduleExperimentWarnings(const DaemonConfig& config);

// Loads (parse::ParseText, by extension) and parses `path`. On any problem: kInvalidArgument whose
// message holds every problem, one per line; `problems` (when given) gets them one by one.
Result<DaemonConfig> LoadConfig(const std::string& path,
                                std::vector<ConfigProblem>* problems = nullptr);

}  // namespace chaosrun::daemon
