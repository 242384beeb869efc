// `chaosrun remote ...`: drives a chaosrund over its HTTP API (docs/daemon.md, "API"; docs/cli.md,
// "remote"): list runs, show a journal, start, abort, halt, pause and resume schedules. The HTTP
// client is the project's one (providers::PerformHttp, libcurl); the address and the token come
// from flags or the environment, never the token itself from the command line (ps shows it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "common/status.h"

namespace chaosrun::cli {

inline constexpr const char* kDefaultRemoteAddress = "http://127.0.0.1:8475";

struct RemoteArgs {
  std::string action;      // runs, show, start, abort, halt, pause, resume, schedules, experiments
  std::string name;        // show/abort: run id; start: experiment; pause/resume: schedule
  std::string address;     // --address ("" = CHAOSRUN_ADDRESS, else the default)
  std::string token_file;  // --token-file ("" = CHAOSRUN_TOKEN)
  bool json = false;       // --json: print the API's JSON as it came
  bool help = false;
  std::string schedule, outcome;        // runs --schedule / --outcome
  std::optional<size_t> limit, offset;  // runs --limit / --offset
  std::vector<std::string> vars;        // start --var KEY=VALUE / KEY:TYPE=VALUE
  std::string reason;                   // halt --reason
  bool clear = false;                   // halt --clear
};

// argv after `remote`. Usage errors name the flag or the argument.
Result<RemoteArgs> ParseRemoteArgs(const std::vector<std::string>& argv);

std::string RemoteHelpText();

// Exit code: 0 done, 1 the API refused (its reason printed) or could not be reached, 2 usage.
int RemoteCommand(const Args& args);

}  // namespace chaosrun::cli
