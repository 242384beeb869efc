// Command-line parsing for `chaosrun`. Hand-written (a few dozen flags do not justify a
// dependency): GNU-style `--flag value` and `--flag=value`, flags anywhere after the subcommand,
// `--` ends options. Errors are usage errors (exit 2) with a message naming the flag.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"

namespace chaosrun::cli {

enum class Command { kRun, kValidate, kDrivers, kRecover, kHalt, kHelp, kVersion };

struct Args {
  Command command = Command::kHelp;
  std::string help_topic;  // subcommand whose help to print ("" = general)
  std::string source;

  // Global options.
  bool verbose = false;
  std::string log_file;
  log::Format log_format = log::Format::kText;

  // run options.
  std::string journal_path = "./journal.json";
  std::string dry;  // "" = not dry
  bool no_validation = false;
  std::string rollback_strategy;
  std::string hypothesis_strategy;
  double hypothesis_frequency = 1.0;
  bool fail_fast = false;
  std::vector<std::string> vars;
  std::vector<std::string> var_files;

  // Drivers and safety (run, validate, drivers, recover, halt).
  std::vector<std::string> driver_dirs;  // --driver-dir, in addition to the installed one
  std::string state_dir;                 // --state-dir ("" = the default)
  std::string policy_path;               // --policy ("" = /etc/chaosrun/policy.json if present)
  double deadline_seconds = 0;           // --deadline
  bool clear = false;                    // halt --clear
  std::string reason;                    // halt --reason

  // validate / drivers options.
  bool json_output = false;
};

// Parses argv (argv[0] excluded). `chaosrun FILE` means `chaosrun run FILE`.
Result<Args> ParseArgs(const std::vector<std::string>& argv);

std::string HelpText(const std::string& topic);

}  // namespace chaosrun::cli
