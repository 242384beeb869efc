// Command-line parsing for `chaosrun`, on CLI11, from the one option table (cli/options.h):
// GNU-style `--flag value` and `--flag=value`, options before or after the command, `--` ends
// options, `chaosrun SOURCE` = `chaosrun run SOURCE`. Errors are usage errors (exit 2) with a
// message naming the flag, and a did-you-mean for an unknown option or command.
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
  kCompletion,  // internal: `chaosrun completion bash` prints the bash completion script
  kManPage,     // internal: `chaosrun man-page` prints chaosrun.1 (roff)
};

struct Args {
  Command command = Command::kHelp;
  std::string help_topic;  // subcommand whose help to print ("" = general)
  std::string source;

  // Global options.
  bool verbose = false;
  std::string log_file;
  log::Format log_format = log::Format::kText;
  log::Level log_file_level = log::Level::kDebug;  // --log-file-level
  bool no_log_file = false;       // --no-log-file: accepted; no log file is written anyway
  bool no_version_check = false;  // --no-version-check: accepted; chaosrun never calls home
  std::string settings_path;      // --settings FILE (session::RunRequest::settings_path)
  std::string change_dir;         // --change-dir DIR: cli::Main changes to it before anything
  bool verify_tls = true;         // --no-verify-tls (run, validate)

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

  std::string completion_shell;  // completion: "bash"
};

// Parses argv (argv[0] excluded). `chaosrun FILE` means `chaosrun run FILE`.
Result<Args> ParseArgs(const std::vector<std::string>& argv);

std::string HelpText(const std::string& topic);  // args_help.cc

// Made from the option table at build time (share/completion/CMakeLists.txt), args_generate.cc:
std::string BashCompletion();  // `chaosrun completion bash`: share/bash-completion/completions
std::string ManPage();         // `chaosrun man-page`: chaosrun.1 in roff, share/man/man1

}  // namespace chaosrun::cli
