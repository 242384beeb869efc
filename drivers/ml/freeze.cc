// freeze_dataset: SIGSTOP the pipeline process (the dataset stops being published, it goes
// stale); undo SIGCONTs it. The process is identified by pid AND start time (/proc/<pid>/stat
// field 22), recorded in prepare: apply and undo signal only that same process, so a recycled
// pid is never touched, and a process that is gone makes the undo a successful no-op.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "actions.h"

namespace chaosrun_ml {

namespace {

constexpr size_t kMaxPidfileBytes = 64;
constexpr size_t kMaxCmdlineBytes = 64 * 1024;

// /proc/<pid>/cmdline with its NULs read as spaces (and no trailing one); nullopt if unreadable.
std::optional<std::string> Cmdline(pid_t pid) {
  std::string text;
  if (!ReadSmallRegularFile("/proc/" + std::to_string(pid) + "/cmdline", kMaxCmdlineBytes, &text)
           .empty()) {
    return std::nullopt;
  }
  for (char& c : text) {
    if (c == '\0') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

struct Frozen {
  pid_t pid = 0;
  uint64_t start_time = 0;
  std::string comm;
};

std::string ParseFrozen(const json& j, Frozen* f) {
  if (!j.is_object()) return "must be a JSON object";
  try {
    int64_t pid = j.at("pid").get<int64_t>();
    if (pid < 2 || pid > 4194304) return "pid out of range";
    f->pid = static_cast<pid_t>(pid);
    f->start_time = j.at("start_time").get<uint64_t>();
    f->comm = j.value("comm", std::string());
  } catch (const json::exception& e) {
    return std::string("malformed: ") + e.what();
  }
  return {};
}

// The same process as recorded (alive, same start time)?
bool Same(const Frozen& f, ProcStat* now) {
  auto st = ReadProcStat(f.pid);
  if (!st || st->start_time != f.start_time) return false;
  *now = *st;
  return true;
}

}  // namespace

Reply PrepareFreeze(const json& args, const Env&) {
  static const char* const kAllowed[] = {"pid", "pidfile", "expect_cmdline", nullptr};
  if (std::string e = UnknownKeys(args, kAllowed); !e.empty()) {
    return Reply::Invalid(ArgPointer(e));
  }
  std::string error;
  auto pid_arg = IntArg(args, "pid", 2, 4194304, &error);
  auto pidfile = error.empty() ? StringArg(args, "pidfile", &error) : std::nullopt;
  auto expect = error.empty() ? StringArg(args, "expect_cmdline", &error) : std::nullopt;
  if (!error.empty()) return Reply::Invalid(ArgPointer(error));
  if (pid_arg.has_value() == pidfile.has_value()) {
    return Reply::Invalid("freeze_dataset: give exactly one of 'pid' or 'pidfile'");
  }
  pid_t pid = 0;
  if (pidfile) {
    std::string text;
    if (std::string e = ReadSmallRegularFile(*pidfile, kMaxPidfileBytes, &text); !e.empty()) {
      return Reply::Failed("/pidfile: " + e);
    }
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    while (end != nullptr && (*end == '\n' || *end == ' ' || *end == '\r' || *end == '\t')) ++end;
    if (end == text.c_str() || end == nullptr || *end != '\0' || v < 2 || v > 4194304) {
      return Reply::Failed("/pidfile: " + *pidfile + " does not hold a pid");
    }
    pid = static_cast<pid_t>(v);
  } else {
    pid = static_cast<pid_t>(*pid_arg);
  }
  if (pid == ::getpid()) return Reply::Failed("freeze_dataset: refused: that is chaosrun itself");
  auto st = ReadProcStat(pid);
  if (!st) {
    return Reply::Failed("freeze_dataset: refused: no process " + std::to_string(pid) +
                         (pidfile ? " (from " + *pidfile + ")" : std::string()));
  }
  if (st->state == 'T' || st->state == 't') {
    return Reply::Failed("freeze_dataset: refused: process " + st->comm + "/" +
                         std::to_string(pid) +
                         " is already stopped (its undo would continue someone else's stop)");
  }
  if (expect) {
    auto cmdline = Cmdline(pid);
    if (!cmdline || cmdline->find(*expect) == std::string::npos) {
      return Reply::Failed("/expect_cmdline: refused: the command line of process " + st->comm +
                           "/" + std::to_string(pid) +
                           (pidfile ? " (from " + *pidfile + ")" : std::string()) + " is " +
                           (cmdline ? json(*cmdline).dump() : std::string("unreadable")) +
                           ", which does not contain " + json(*expect).dump());
    }
  }
  if (::kill(pid, 0) != 0) {
    return Reply::Failed("freeze_dataset: refused: cannot signal process " + std::to_string(pid) +
                         ": " + std::strerror(errno));
  }
  json undo{{"pid", pid}, {"start_time", st->start_time}, {"comm", st->comm}};
  json plan = undo;
  plan["targets"] = json::array({"process:" + st->comm + "/" + std::to_string(pid)});
  plan["undo"] = undo;
  if (pidfile) plan["pidfile"] = *pidfile;
  if (expect) plan["expect_cmdline"] = *expect;
  return Reply::Ok(plan);
}

Reply ApplyFreeze(const json& plan, const Env&) {
  Frozen f;
  if (std::string e = ParseFrozen(plan, &f); !e.empty()) {
    return Reply::Invalid("freeze_dataset: invalid plan: " + e);
  }
  ProcStat now;
  if (!Same(f, &now)) {
    return Reply::Failed("freeze_dataset: process " + std::to_string(f.pid) +
                         " is gone (or its pid was reused) since prepare: nothing was stopped");
  }
  if (::kill(f.pid, SIGSTOP) != 0) {
    return Reply::Failed("freeze_dataset: SIGSTOP " + std::to_string(f.pid) + ": " +
                         std::strerror(errno));
  }
  return Reply::Ok(json{{"pid", f.pid}, {"comm", now.comm}, {"signal", "SIGSTOP"}});
}

Reply UndoFreeze(const json& undo, const Env& env) {
  Frozen f;
  if (std::string e = ParseFrozen(undo, &f); !e.empty()) {
    return Reply::Invalid("freeze_dataset: invalid undo: " + e);
  }
  ProcStat now;
  if (!Same(f, &now)) {
    env.log(CHAOSRUN_LOG_INFO,
            "freeze_dataset: process " + std::to_string(f.pid) + " is gone: nothing to continue");
    return Reply::Ok(json{{"pid", f.pid}, {"continued", false}, {"reason", "gone"}});
  }
  if (::kill(f.pid, SIGCONT) != 0 && errno != ESRCH) {
    return Reply::Failed("freeze_dataset: undo: SIGCONT " + std::to_string(f.pid) + ": " +
                         std::strerror(errno));
  }
  return Reply::Ok(json{{"pid", f.pid}, {"comm", now.comm}, {"continued", true}});
}

}  // namespace chaosrun_ml
