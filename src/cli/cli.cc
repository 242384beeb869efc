#include "cli/cli.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/proxy_command.h"
#include "cli/remote_command.h"
#include "cli/report_command.h"
#include "cli/safety.h"
#include "common/log.h"
#include "common/version.h"

namespace chaosrun::cli {

int Main(int argc, char** argv) {
  std::vector<std::string> raw;
  for (int i = 1; i < argc; ++i) raw.emplace_back(argv[i]);
  auto args = ParseArgs(raw);
  if (!args) {
    std::cerr << "Error: " << args.error().message() << "\n"
              << "Try 'chaosrun --help' for help.\n";
    return kExitUsage;
  }
  switch (args->command) {
    case Command::kHelp:
      std::cout << HelpText(args->help_topic);
      return kExitOk;
    case Command::kVersion:
      std::cout << "chaosrun " << kVersion << "\n";
      return kExitOk;
    case Command::kCompletion:
      std::cout << BashCompletion();
      return kExitOk;
    case Command::kManPage:
      std::cout << ManPage();
      return kExitOk;
    default:
      break;
  }
  // A closed stdout or stderr must never end a command half-way (a recover with its undos, a
  // run with its faults applied): writes fail with EPIPE instead.
  ::signal(SIGPIPE, SIG_IGN);
  log::Options lo;
  lo.console_level = args->verbose ? log::Level::kDebug : log::Level::kInfo;
  lo.format = args->log_format;
  lo.file = args->no_log_file ? "" : args->log_file;  // no log file unless asked for one
  lo.file_level = args->log_file_level;
  log::Init(lo);
  // --change-dir: after the log file is opened (as the reference does), before anything else.
  if (!args->change_dir.empty()) {
    std::error_code ec;
    std::filesystem::current_path(args->change_dir, ec);
    if (ec) {
      std::cerr << "Error: --change-dir " << args->change_dir << ": " << ec.message() << "\n";
      return kExitUsage;
    }
  }
  try {
    if (args->command == Command::kValidate) return ValidateCommand(*args);
    if (args->command == Command::kDrivers) return DriversCommand(*args);
    if (args->command == Command::kRecover) return RecoverCommand(*args);
    if (args->command == Command::kHalt) return HaltCommand(*args);
    if (args->command == Command::kProxy) return ProxyCommand(*args);
    if (args->command == Command::kReport) return ReportCommand(*args);
    if (args->command == Command::kRemote) return RemoteCommand(*args);
    return RunCommand(*args);
  } catch (const std::exception& e) {
    // Nothing should throw this far; if something does, say so plainly instead of aborting.
    log::Error("internal error: {}", e.what());
    return kExitInternal;
  }
}

}  // namespace chaosrun::cli
