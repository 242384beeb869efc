// chaosrund: the daemon's front end (docs/daemon.md "Lifecycle"). It blocks SIGTERM, SIGINT and
// SIGHUP before any thread exists and takes them on this (the main) thread with sigwait, loads
// and checks the configuration (every problem at once, exit 2), starts the Daemon (which recovers
// the undo ledger first), the HTTP API and systemd's notifications, then serves until a stop
// signal: SIGHUP reloads the configuration (an invalid one is refused and the old one stays),
// SIGTERM/SIGINT stop new runs, interrupt the running ones and wait for their journals (exit 0).
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "api/server.h"
#include "common/log.h"
#include "common/version.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/notify.h"
#include "daemon/session_executor.h"
#include "ledger/state_dir.h"

namespace {

using namespace chaosrun;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Flags {
  std::string config;
  std::string check_config;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string log_file;
};

int ParseFlags(int argc, char** argv, Flags& f) {
  CLI::App app{"chaosrund: scheduled chaos experiments, an authenticated API, metrics"};
  app.add_option("--config,-c", f.config, "the configuration file (.json, .yaml, .yml)");
  app.add_option("--check-config", f.check_config, "check a configuration file and exit");
  app.add_option("--log-level", f.log_level, "debug, info, warning or error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
  app.add_option("--log-format", f.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-file", f.log_file, "also append the log to this file");
  app.set_version_flag("--version", std::string("chaosrund ") + chaosrun::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? -1 : kExitUsage;  // -1: --help or --version printed, exit 0
  }
  if (f.config.empty() && f.check_config.empty()) {
    std::cerr << "chaosrund: --config FILE is required (or --check-config FILE)\n";
    return kExitUsage;
  }
  return kExitOk;
}

void InitLog(const Flags& f) {
  log::Options o;
  o.console_level = f.log_level == "debug"     ? log::Level::kDebug
                    : f.log_level == "warning" ? log::Level::kWarning
                    : f.log_level == "error"   ? log::Level::kError
                                               : log::Level::kInfo;
  o.format = f.log_format == "json" ? log::Format::kJson : log::Format::kText;
  o.file = f.log_file;
  log::Init(o);
}

// Schedules whose experiment is not in experiments_dir: warnings, not errors (docs/daemon.md).
void WarnMissingExperiments(const daemon::DaemonConfig& config, bool to_stderr) {
  for (const auto& w : daemon::ScheduleExperimentWarnings(config)) {
    if (to_stderr) {
      std::cerr << "warning: " << w.pointer << ": " << w.message << "\n";
    } else {
      log::Warn("{}: {}", w.pointer, w.message);
    }
  }
}

int CheckConfig(const std::string& path) {
  auto config = daemon::LoadConfig(path);
  if (!config) {
    std::cerr << config.error().message() << "\n";
    return kExitUsage;
  }
  WarnMissingExperiments(*config, /*to_stderr=*/true);
  std::cout << path << ": ok (" << config->schedules.size() << " schedule(s), "
            << config->proxies.size() << " prox" << (config->proxies.size() == 1 ? "y" : "ies")
            << ")\n";
  return kExitOk;
}

// One chaosrund per state directory: an exclusive flock on <state_dir>/chaosrund.lock, taken
// before recovery and held (the descriptor stays open, close-on-exec so no child inherits it)
// until the process exits. A second daemon would otherwise recover, mark the first one's
// running runs interrupted and fire its schedules as well. The holder's pid is written in the
// file for the refusal message.
Result<ledger::UniqueFd> LockStateDir(const std::string& state_dir) {
  auto dir = ledger::OpenStateDir(state_dir, /*create=*/true);
  if (!dir) return Err(dir.error());
  const std::string path = state_dir + "/chaosrund.lock";
  ledger::UniqueFd fd(
      ::openat(dir->get(), "chaosrund.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    return Err(Status::IoError("cannot open " + path + ": " + std::strerror(errno)));
  }
  int rc = 0;
  while ((rc = ::flock(fd.get(), LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    if (errno != EWOULDBLOCK) {
      return Err(Status::IoError("cannot lock " + path + ": " + std::strerror(errno)));
    }
    char holder[32] = {};
    ssize_t n = ::pread(fd.get(), holder, sizeof(holder) - 1, 0);
    std::string pid = n > 0 ? std::string(holder, static_cast<size_t>(n)) : std::string();
    pid.erase(pid.find_last_not_of(" \n") + 1);
    return Err(Status::FailedPrecondition(
        "another chaosrund" + (pid.empty() ? std::string() : " (pid " + pid + ")") +
        " uses the state directory " + state_dir + " (it holds " + path + ")"));
  }
  const std::string mine = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), mine.data(), mine.size(), 0) != static_cast<ssize_t>(mine.size())) {
    log::Warn("cannot write the pid into {}: {}", path, std::strerror(errno));
  }
  return fd;
}

// Serves until SIGTERM or SIGINT; SIGHUP reloads. Returns the exit code.
// Parsing the configuration (yaml-cpp's node tree above all) frees far more heap than the daemon
// keeps, and glibc holds the freed pages: an idle daemon with 1,000 schedules kept ~2.4 MiB of
// them (docs/performance.md). Called once started and after each reload, never on a hot path.
void GiveBackFreedHeap() { ::malloc_trim(0); }

int Serve(const std::string& path, daemon::Daemon& d, daemon::Notifier& notifier,
          const sigset_t& signals) {
  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      notifier.Reloading();
      log::Info("SIGHUP: reloading {}", path);
      auto next = daemon::LoadConfig(path);
      if (next) WarnMissingExperiments(*next, /*to_stderr=*/false);
      if (!next) {
        d.ReloadRefused(next.error().message());
      } else if (Status st = d.Reload(std::move(*next)); !st.ok()) {
        d.ReloadRefused(st.message());
      }
      GiveBackFreedHeap();
      notifier.Ready(d.StatusLine());
      continue;
    }
    log::Info("{}: stopping: no new runs; interrupting the running ones", strsignal(sig));
    notifier.Stopping("stopping: undoing the faults of the running experiments");
    return kExitOk;
  }
}

int Run(const Flags& flags, const sigset_t& signals) {
  std::vector<daemon::ConfigProblem> problems;
  auto config = daemon::LoadConfig(flags.config, &problems);
  if (!config) {
    std::cerr << "chaosrund: refusing to start: " << config.error().message() << "\n";
    return kExitUsage;
  }
  auto token = api::LoadTokenFile(config->token_file);
  if (!token) {
    std::cerr << "chaosrund: refusing to start: token_file: " << token.error().message() << "\n";
    return kExitUsage;
  }
  WarnMissingExperiments(*config, /*to_stderr=*/false);
  auto state_lock = LockStateDir(config->state_dir);
  if (!state_lock) {
    std::cerr << "chaosrund: refusing to start: " << state_lock.error().message() << "\n";
    return kExitUsage;
  }
  daemon::Notifier notifier;
  daemon::SessionExecutor executor;
  api::ServerOptions options;
  options.host = config->listen_host;
  options.port = config->listen_port;
  options.token = *token;
  options.max_body_bytes = config->api_max_body_bytes;
  options.allow_remote = config->allow_remote;
  daemon::Daemon d(std::move(*config), executor, SystemClock(), &notifier);
  // The undo ledger is recovered in Start(), before the API or any schedule can start a run.
  if (Status st = d.Start(); !st.ok()) {
    log::Error("chaosrund: cannot start: {}", st.message());
    return kExitFailed;
  }
  api::Server server(d, options);
  auto endpoint = server.Start();
  if (!endpoint) {
    log::Error("chaosrund: cannot listen on {}:{}: {}", options.host, options.port,
               endpoint.error().message());
    d.Shutdown("the API could not start");
    return kExitFailed;
  }
  std::cout << "listening on " << endpoint->host << ":" << endpoint->port << std::endl;
  log::Info("chaosrund listening on {}", endpoint->Url());
  GiveBackFreedHeap();
  notifier.Ready(d.StatusLine());
  int rc = Serve(flags.config, d, notifier, signals);
  d.Shutdown("chaosrund is stopping");
  server.Stop();
  log::Info("chaosrund stopped");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread: every thread inherits the mask, so only sigwait below takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Flags flags;
  int rc = ParseFlags(argc, argv, flags);
  if (rc != kExitOk) return rc < 0 ? kExitOk : rc;
  InitLog(flags);
  if (!flags.check_config.empty()) return CheckConfig(flags.check_config);
  return Run(flags, signals);
}
