#include "process/signals.h"

#include <csignal>
#include <cstdint>

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

}  // namespace chaosrun::drivers::process
