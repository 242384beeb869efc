// Command-line parsing for `chaosrun`. Hand-written (a few dozen flags do not justify a
// dependency): GNU-style `--flag value` and `--flag=value`, flags anywhere after the subcommand,
// `--` ends options. Errors are usage errors (exit 2) with a message naming the flag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"

namespace chaosrun::cli {

enum class Command {
  kRun,
  kValidate,
  kDrivers,
  kRecover,
  kHalt,
  kProxy,
  kReport,
  kHelp,
  kVersion,
  kRemote,
};

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
  std::string python;                      // --python PATH (run, validate; docs/python.md)
  std::vector<std::string> control_files;  // --control-file PATH (run): global controls

  // Drivers and safety (run, validate, drivers, recover, halt).
  std::vector<std::string> driver_dirs;  // --driver-dir, in addition to the installed one
  std::string state_dir;                 // --state-dir ("" = the default)
  std::string policy_path;               // --policy ("" = /etc/chaosrun/policy.json if present)
  double deadline_seconds = 0;           // --deadline
  bool clear = false;                    // halt --clear
  std::string reason;                    // halt --reason
  bool force = false;                    // recover --force: also a live run's faults
  bool list = false;                     // recover --list (with --json: as JSON)
  std::string forget_id;                 // recover --forget ID

  // validate / drivers options.
  bool json_output = false;
  bool strict = false;  // validate --strict: likely typos of known keys are errors

  // report options (src/cli/report_command.h): the journals, and --output FILE.
  std::vector<std::string> report_journals;
  std::string report_output;  // "" = next to the journal, with .html

  // proxy serve options (src/cli/proxy_command.h).
  std::string proxy_action;                  // "serve"
  std::string proxy_api = "127.0.0.1:8474";  // --api HOST:PORT
  std::string proxy_config;                  // --config FILE ("" = none)
  int proxy_threads = 1;                     // --threads N (data-path event loops)
  uint64_t proxy_seed = 0;                   // --seed N (0 = random)
  uint64_t proxy_max_buffer = 0;             // --max-buffer BYTES (0 = the engine's default)
  // --busy-poll auto|MICROSECONDS: auto = 50 µs while the machine has a CPU to spare; a number
  // = that long, always; 0 = off.
  uint64_t proxy_busy_poll_us = 50;
  bool proxy_busy_poll_auto = true;
  bool allow_remote = false;  // --allow-remote

  // remote: every argument after `remote`, parsed by ParseRemoteArgs (src/cli/remote_command.h).
  std::vector<std::string> remote_args;
};

// Parses argv (argv[0] excluded). `chaosrun FILE` means `chaosrun run FILE`.
Result<Args> ParseArgs(const std::vector<std::string>& argv);

std::string HelpText(const std::string& topic);

}  // namespace chaosrun::cli
