#include "process/identity.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "process/args.h"

namespace chaosrun::drivers::process {

bool IsProtected(int pid) { return pid <= 1 || pid == ::getpid() || pid == ::getppid(); }

std::string TargetOf(const ProcStat& s) {
  return "process:" + PrintableComm(s.comm) + "/" + std::to_string(s.pid);
}

nlohmann::json ToJson(const Recorded& r, bool with_cmdline) {
  nlohmann::json j{{"pid", r.pid}, {"comm", r.comm}, {"start_time", r.start_time}};
  if (with_cmdline) j["cmdline"] = r.cmdline;
  return j;
}

std::string ParseRecorded(const nlohmann::json& list, std::vector<Recorded>* out) {
  if (!list.is_array()) return "the process list is missing or not a list";
  for (const auto& p : list) {
    if (!p.is_object() || !p.contains("pid") || !p.contains("start_time")) {
      return "a recorded process needs a pid and a start_time";
    }
    Recorded r;
    auto pid = IntegerIn(p["pid"], 1, 0x7fffffff);
    auto start = Unsigned(p["start_time"]);
    if (!pid || !start) return "a recorded process has an invalid pid or start_time";
    r.pid = static_cast<int>(*pid);
    r.start_time = *start;
    if (p.contains("comm") && p["comm"].is_string()) r.comm = p["comm"].get<std::string>();
    if (p.contains("cmdline") && p["cmdline"].is_string()) {
      r.cmdline = p["cmdline"].get<std::string>();
    }
    out->push_back(std::move(r));
  }
  return {};
}

std::string IdentityKey(const std::string& cmdline, const std::string& comm) {
  return cmdline.empty() ? "comm:" + comm : "cmdline:" + cmdline;
}

std::vector<int> Instances(const Selector& selector, const std::set<std::string>& identities,
                           const Env& env, std::string* error) {
  std::set<int> pids;
  if (selector.kind != SelectorKind::kPids) {
    MatchResult m = FindMatches(selector, env);
    if (!m.error.empty()) *error = m.error;
    for (const auto& s : m.procs) pids.insert(s.pid);
  }
  if (!identities.empty()) {
    for (int pid : ListPids(env.proc_root)) {
      if (pids.count(pid) != 0) continue;
      auto s = ReadStat(env.proc_root, pid);
      if (!s || HasExited(*s) || IsKernelThread(*s)) continue;
      std::string cmd = ReadCmdline(env.proc_root, pid, kMaxIdentityCmdline);
      if (identities.count(IdentityKey(cmd, s->comm)) != 0) pids.insert(pid);
    }
  }
  return {pids.begin(), pids.end()};
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout, const Env& env) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  long pause_ns = 1000000;  // 1 ms, doubling up to 50 ms
  for (;;) {
    if (done()) return true;
    if (env.Cancelled() || std::chrono::steady_clock::now() >= deadline) return false;
    timespec ts{0, pause_ns};
    ::nanosleep(&ts, nullptr);
    pause_ns = std::min(pause_ns * 2, 50000000L);
  }
}

}  // namespace chaosrun::drivers::process
