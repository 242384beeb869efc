#include "process/signals.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>

#include "process/proc.h"

namespace chaosrun::drivers::process {

namespace {

struct NamedSignal {
  const char* name;  // without the SIG prefix
  int number;
};

constexpr NamedSignal kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

}  // namespace

std::optional<int> ParseSignal(const nlohmann::json& value) {
  if (value.is_number_integer() || value.is_number_unsigned()) {
    // Compare as signed 64-bit: huge unsigned values are out of range anyway.
    if (value.is_number_unsigned() && value.get<uint64_t>() > 1024) return std::nullopt;
    int64_t n = value.get<int64_t>();
    if (n < 1 || n > SIGRTMAX) return std::nullopt;
    return static_cast<int>(n);
  }
  if (!value.is_string()) return std::nullopt;
  std::string s = value.get<std::string>();
  if (s.size() > 3 && s.compare(0, 3, "SIG") == 0) s.erase(0, 3);
  for (const auto& sig : kSignals) {
    if (s == sig.name) return sig.number;
  }
  return std::nullopt;
}

std::string SignalName(int signal) {
  for (const auto& sig : kSignals) {
    if (sig.number == signal) return std::string("SIG") + sig.name;
  }
  return "SIG" + std::to_string(signal);
}

std::vector<std::string> SignalNames() {
  std::vector<std::string> out;
  for (const auto& sig : kSignals) out.push_back(std::string("SIG") + sig.name);
  return out;
}

bool IsJobControlSignal(int signal) {
  return signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU ||
         signal == SIGCONT;
}

std::string SignalSameProcess(const Env& env, int pid, uint64_t start_time, int sig) {
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0u));
  if (fd < 0) {
    int e = errno;
    if (e == ESRCH) return "exited";
    if (e == ENOSYS) return "pidfd unsupported by this kernel (Linux 5.3 or later)";
    if (e == EINVAL) return "not a process (a thread id, or an invalid pid)";
    return std::string("pidfd_open: ") + std::strerror(e);
  }
  if (env.after_pidfd_open) env.after_pidfd_open(pid);
  // Checked after the open: the pidfd now names whichever process had the pid at that moment,
  // and this says whether it is the one planned.
  std::string why;
  auto s = ReadStat(env.proc_root, pid);
  if (!s || HasExited(*s)) {
    why = "exited";
  } else if (s->start_time != start_time) {
    why = "pid reused by another process";
  } else if (::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0u) != 0) {
    why = errno == ESRCH ? "exited" : errno == EPERM ? "permission denied" : std::strerror(errno);
  }
  ::close(fd);
  return why;
#else
  (void)env, (void)pid, (void)start_time, (void)sig;
  return "pidfd unsupported by this build (no pidfd_open system call)";
#endif
}

}  // namespace chaosrun::drivers::process
