#include "cli/safety.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "common/log.h"
#include "faults/fault_manager.h"
#include "faults/halt_file.h"
#include "faults/recover.h"
#include "ledger/inspect.h"
#include "ledger/ledger.h"
#include "session/environment.h"

namespace chaosrun::cli {

session::Environment EnvironmentFrom(const Args& args) {
  session::Environment env;
  env.driver_dirs = args.driver_dirs;
  env.policy_path = args.policy_path;
  env.state_dir = args.state_dir;
  return env;
}

// DriversCommand: drivers_command.cc.

namespace {

double UnixNowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int ListPendingCommand(const Args& args, const std::string& dir) {
  auto faults = ledger::ListPending(dir);
  if (!faults) {
    log::Error("recover --list: {}", faults.error().message());
    return kExitFailed;
  }
  if (args.json_output) {
    std::cout << DumpPretty(ledger::PendingJson(dir, *faults, UnixNowSeconds())) << "\n";
  } else {
    std::cout << ledger::PendingTable(*faults, UnixNowSeconds());
  }
  return kExitOk;
}

int ForgetCommand(const Args& args, const std::string& dir) {
  Json who = ledger::WhoAmI();
  auto f = ledger::Forget(dir, args.forget_id, who, UnixNowSeconds());
  if (!f) {
    log::Error("recover --forget: {}", f.error().message());
    return kExitFailed;
  }
  log::Warn("fault {} ({}) forgotten by {}: it is no longer undone by recover (ledger in {})",
            f->id, ledger::DescribeFault(*f), ledger::DescribeWho(who), dir);
  std::cout << "forgotten: fault " << f->id << " (" << ledger::DescribeFault(*f) << ")\n";
  return kExitOk;
}

}  // namespace

int RecoverCommand(const Args& args) {
  auto dir = session::StateDir(EnvironmentFrom(args));
  if (!dir) {
    log::Error("recover: {}", dir.error().message());
    return kExitFailed;
  }
  if (args.list) return ListPendingCommand(args, *dir);
  if (!args.forget_id.empty()) return ForgetCommand(args, *dir);
  auto reg = session::LoadRegistry(EnvironmentFrom(args));
  for (const auto& e : reg->errors()) log::Warn("{}", e);
  auto report = faults::Recover(*dir, *reg, {.force = args.force});
  if (!report) {
    log::Error("recover: {}", report.error().message());
    return kExitFailed;
  }
  for (const auto& line : report->lines) std::cout << line << "\n";
  std::cout << "recover: " << report->undone << " undone, " << report->failed << " failed";
  if (report->refused > 0) std::cout << ", " << report->refused << " refused (run still alive)";
  std::cout << " (" << *dir << ")\n";
  return report->failed == 0 && report->refused == 0 ? kExitOk : kExitFailed;
}

int HaltCommand(const Args& args) {
  auto dir = session::StateDir(EnvironmentFrom(args));
  if (!dir) {
    log::Error("halt: {}", dir.error().message());
    return kExitFailed;
  }
  std::string path = faults::HaltFilePath(*dir);
  if (args.clear) {
    auto removed = faults::ClearHalt(*dir);
    if (!removed) {
      log::Error("halt --clear: {}", removed.error().message());
      return kExitFailed;
    }
    std::cout << (*removed ? "kill switch cleared: faults may be applied again\n"
                           : "the kill switch was not set\n");
    return kExitOk;
  }
  Status st = faults::SetHalt(
      *dir, args.reason.empty() ? std::string("halted by chaosrun halt") : args.reason);
  if (!st.ok()) {
    log::Error("halt: {}", st.message());
    return kExitFailed;
  }
  std::cout << "kill switch set (" << path << "): running experiments stop and undo their "
            << "faults; new faults are refused until `chaosrun halt --clear`\n";
  return kExitOk;
}

}  // namespace chaosrun::cli
