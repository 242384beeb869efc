#include "cli/signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "common/log.h"
#include "common/no_throw.h"

namespace chaosrun::cli {

namespace {

bool SigintIgnoredAtStart() {
  static const bool ignored = [] {
    struct sigaction sa {};
    return ::sigaction(SIGINT, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN;
  }();
  return ignored;
}

sigset_t RunSignals() {
  sigset_t set;
  sigemptyset(&set);
  if (!SigintIgnoredAtStart()) sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

void BlockRunSignals() {
  // A write to a closed stdout or stderr (`chaosrun run x.json | head`) must never end a run with
  // its faults applied: the write fails with EPIPE instead (children get SIGPIPE back by default:
  // the spawn helpers reset every disposition).
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t set = RunSignals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(Handler handler) : handler_(std::move(handler)) {
  sigset_t set = RunSignals();
  signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ < 0 || stop_fd_ < 0) {
    log::Warn("cannot watch signals (signalfd/eventfd failed); interruption disabled");
    return;
  }
  thread_ = std::thread([this] { Loop(); });
}

SignalWatcher::~SignalWatcher() {
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void SignalWatcher::Loop() {
  for (;;) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    signalfd_siginfo info{};
    if (::read(signal_fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) continue;
    switch (info.ssi_signo) {
      case SIGINT:
        NoThrow("the signal handler",
                [&] { handler_(engine::InterruptKind::kSigint, "SIGINT received (Ctrl-C)"); });
        break;
      case SIGTERM:
        NoThrow("the signal handler",
                [&] { handler_(engine::InterruptKind::kSigterm, "SIGTERM signal received"); });
        break;
      case SIGHUP:
        NoThrow("the signal handler", [&] {
          handler_(engine::InterruptKind::kSighup,
                   "SIGHUP received (the terminal or session ended)");
        });
        break;
      case SIGQUIT:
        NoThrow("the signal handler",
                [&] { handler_(engine::InterruptKind::kSigquit, "SIGQUIT received"); });
        break;
      case SIGUSR1:
        NoThrow("the signal handler", [&] {
          handler_(engine::InterruptKind::kSigusr1, "SIGUSR1 received: graceful exit");
        });
        break;
      case SIGUSR2:
        NoThrow("the signal handler",
                [&] { handler_(engine::InterruptKind::kSigusr2, "SIGUSR2 received: harsh exit"); });
        break;
      default:
        break;
    }
  }
}

}  // namespace chaosrun::cli
