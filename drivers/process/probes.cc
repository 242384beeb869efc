// Probes: look, never change anything.
//   running: {"count": N, "pids": [...], "stopped": [...]} for live, non-zombie matches.
//   alive:   true or false for one pid (or the pid in a pidfile); a zombie is not alive.
#include "process/actions.h"
#include "process/args.h"

namespace chaosrun::drivers::process {

namespace {

using nlohmann::json;

sdk::Reply Running(const json& args, const Env& env) {
  if (std::string e = UnknownKey(args, {"pids", "pidfile", "name", "cmdline", "unit"});
      !e.empty()) {
    return sdk::Reply::Invalid("running: " + e);
  }
  Selector sel;
  if (std::string e = ParseSelector(args, &sel); !e.empty()) {
    return sdk::Reply::Invalid("running: " + e);
  }
  MatchResult m = FindMatches(sel, env);
  if (!m.error.empty()) {
    return m.invalid_argument ? sdk::Reply::Invalid("running: " + m.error)
                              : sdk::Reply::Failed("running: " + m.error);
  }
  json pids = json::array();
  json stopped = json::array();
  for (const auto& s : m.procs) {
    pids.push_back(s.pid);
    if (IsStopped(s)) stopped.push_back(s.pid);
  }
  return sdk::Reply::Ok(json{{"count", m.procs.size()}, {"pids", pids}, {"stopped", stopped}});
}

sdk::Reply Alive(const json& args, const Env& env) {
  if (std::string e = UnknownKey(args, {"pid", "pidfile"}); !e.empty()) {
    return sdk::Reply::Invalid("alive: " + e);
  }
  if (args.contains("pid") == args.contains("pidfile")) {
    return sdk::Reply::Invalid("alive: give exactly one of pid, pidfile");
  }
  int pid = 0;
  if (args.contains("pid")) {
    auto p = IntegerIn(args["pid"], 1, 0x7fffffff);
    if (!p) return sdk::Reply::Invalid("alive: pid must be a positive integer");
    pid = static_cast<int>(*p);
  } else {
    const json& f = args["pidfile"];
    if (!f.is_string() || f.get<std::string>().empty()) {
      return sdk::Reply::Invalid("alive: pidfile must be a non-empty string");
    }
    auto text = ReadSmallFile(f.get<std::string>(), 128);
    if (!text) return sdk::Reply::Ok(false);
    auto p = ParsePidText(text->substr(0, text->find('\n')));
    if (!p) return sdk::Reply::Ok(false);
    pid = *p;
  }
  auto s = ReadStat(env.proc_root, pid);
  if (!s || HasExited(*s)) return sdk::Reply::Ok(false);
  auto tgid = ReadTgid(env.proc_root, pid);
  return sdk::Reply::Ok(!tgid || *tgid == pid);
}

}  // namespace

sdk::Reply Probe(const std::string& func, const json& args, const Env& env) {
  return NoThrow([&] {
    if (func == "running") return Running(args, env);
    if (func == "alive") return Alive(args, env);
    return sdk::Reply::Unsupported("the process driver has no probe named '" + func + "'");
  });
}

}  // namespace chaosrun::drivers::process
