#include "tls/reload.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "process/proc.h"
#include "process/signals.h"
#include "process/spawn.h"

namespace chaosrun::drivers::tls {

namespace {

std::string Joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::string SignalPid(int pid, int sig, std::string* done) {
  if (pid <= 1 || pid == ::getpid() || pid == ::getppid()) {
    return "refusing to signal pid " + std::to_string(pid) + " (init, chaosrun or its parent)";
  }
  if (::kill(pid, sig) != 0) {
    if (errno == ESRCH) return "no process with pid " + std::to_string(pid);
    return "cannot send " + process::SignalName(sig) + " to pid " + std::to_string(pid) + ": " +
           std::strerror(errno);
  }
  *done = process::SignalName(sig) + " sent to pid " + std::to_string(pid);
  return {};
}

}  // namespace

std::string Reload(const ReloadSpec& spec, const Env& env, std::string* done) {
  switch (spec.kind) {
    case ReloadSpec::Kind::kNone:
      *done = "no reload asked";
      return {};
    case ReloadSpec::Kind::kPid:
      return SignalPid(spec.pid, spec.signal, done);
    case ReloadSpec::Kind::kPidfile: {
      auto text = process::ReadSmallFile(spec.pidfile, 64);
      if (!text) return "cannot read the pidfile " + spec.pidfile;
      auto pid = process::ParsePidText(*text);
      if (!pid) return "the pidfile " + spec.pidfile + " holds no pid";
      return SignalPid(*pid, spec.signal, done);
    }
    case ReloadSpec::Kind::kCommand: {
      auto timeout = std::chrono::milliseconds(static_cast<int64_t>(spec.timeout_seconds * 1000));
      process::CaptureResult r = process::RunCapture(spec.command, timeout, env.cancelled);
      if (!r.Succeeded())
        return "the reload command `" + Joined(spec.command) + "` " + r.Describe();
      *done = "the reload command exited 0";
      return {};
    }
  }
  return "unknown reload";
}

}  // namespace chaosrun::drivers::tls
