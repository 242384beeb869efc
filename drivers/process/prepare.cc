// prepare: choose the targets and compute the exact undo. No side effects.
#include <set>

#include "process/actions.h"
#include "process/args.h"
#include "process/choose.h"
#include "process/credentials.h"
#include "process/identity.h"
#include "process/signals.h"

namespace chaosrun::drivers::process {

namespace {

using nlohmann::json;

sdk::Reply PrepareAction(const std::string& func, const json& args, const Env& env) {
  ActionSpec spec;
  if (std::string e = ParseActionArgs(func, args, &spec); !e.empty()) {
    return sdk::Reply::Invalid(func + ": " + e);
  }
  const Selector& sel = spec.selector;
  const bool kill = func == "kill";
  if (kill && spec.restart.empty() && sel.kind != SelectorKind::kUnit) {
    return sdk::Reply::Invalid(
        "kill refused: a kill needs `restart` (the argv that starts the instance again) or a "
        "`unit` selector (undone with `systemctl start`) so that it can be undone");
  }
  if (sel.kind == SelectorKind::kPids) {
    for (int pid : sel.pids) {
      if (IsProtected(pid)) {
        return sdk::Reply::Invalid("pid " + std::to_string(pid) +
                                   " is protected (pid 1, chaosrun itself or its parent)");
      }
    }
  }
  MatchResult m = FindMatches(sel, env);
  if (!m.error.empty()) {
    return m.invalid_argument ? sdk::Reply::Invalid(m.error) : sdk::Reply::Failed(m.error);
  }
  std::vector<ProcStat> candidates;
  json protected_pids = json::array();
  for (auto& s : m.procs) {
    if (IsProtected(s.pid)) {
      protected_pids.push_back(s.pid);
    } else {
      candidates.push_back(std::move(s));
    }
  }
  if (candidates.empty()) {
    std::string msg = "no process matches " + sel.Describe();
    if (sel.kind == SelectorKind::kUnit && m.unit_main_pid == 0)
      msg += " (the unit has no MainPID)";
    if (!protected_pids.empty())
      msg += " (protected, never signalled: " + protected_pids.dump() + ")";
    return sdk::Reply::Failed(msg);
  }
  const uint64_t seed = spec.seed ? *spec.seed : NewSeed();
  const size_t k = HowMany(candidates.size(), spec.count, spec.percent);
  std::vector<size_t> chosen = ChooseIndices(candidates.size(), k, seed);

  // kill's restart runs as the killed process ran (credentials.h), or as restart.user.
  Credentials restart_as;
  if (kill && !spec.restart_user.empty()) {
    if (std::string e = CredentialsOfUser(spec.restart_user, &restart_as); !e.empty()) {
      return sdk::Reply::Invalid("kill refused: " + e);
    }
  }
  json targets = json::array();
  if (sel.kind == SelectorKind::kUnit) targets.push_back("unit:" + sel.value);
  json pids = json::array();
  json processes = json::array();
  json killed = json::array();
  std::set<std::string> identities;
  for (size_t i : chosen) {
    const ProcStat& s = candidates[i];
    Recorded r{s.pid, s.comm, s.start_time, {}};
    targets.push_back(TargetOf(s));
    pids.push_back(s.pid);
    processes.push_back(ToJson(r, false));
    if (kill) {
      r.cmdline = ReadCmdline(env.proc_root, s.pid, kMaxIdentityCmdline);
      identities.insert(IdentityKey(r.cmdline, r.comm));
      json entry = ToJson(r, true);
      if (!spec.restart.empty() && spec.restart_user.empty()) {
        Credentials c;
        if (std::string e = ReadCredentials(env.proc_root, s.pid, &c); !e.empty()) {
          return sdk::Reply::Invalid(
              "kill refused: cannot read who pid " + std::to_string(s.pid) +
              " runs as, to restart it so: " + e +
              "; name the user instead: \"restart\": {\"argv\": [...], \"user\": NAME}");
        }
        entry["as"] = ToJson(c);
      }
      killed.push_back(std::move(entry));
    }
  }
  json undo;
  if (kill) {
    std::string ignored;
    size_t baseline = Instances(sel, identities, env, &ignored).size();
    undo = json{{"action", "kill"}, {"selector", sel.ToJson()}};
    if (!spec.restart.empty()) undo["restart"] = spec.restart;
    if (!spec.restart_user.empty()) undo["restart_as"] = ToJson(restart_as);
    if (sel.kind == SelectorKind::kUnit) undo["unit"] = sel.value;
    undo["baseline"] = baseline;
    undo["killed"] = killed;
  } else {
    undo = json{{"action", "stop"}, {"processes", processes}};
  }
  return sdk::Reply::Ok(json{{"targets", targets},
                             {"action", func},
                             {"selector", sel.ToJson()},
                             {"signal", spec.signal},
                             {"signal_name", SignalName(spec.signal)},
                             {"seed", seed},
                             {"matched", candidates.size()},
                             // Several matches and nothing chose among them: the host refuses
                             // this unless max-targets-per-action is set (Guard::PlanTargets).
                             {"unbounded", sel.kind != SelectorKind::kPids && !spec.count &&
                                               !spec.percent && candidates.size() > 1},
                             {"pids", pids},
                             {"protected", protected_pids},
                             {"processes", processes},
                             {"undo", undo}});
}

}  // namespace

sdk::Reply Prepare(const std::string& func, const json& args, const Env& env) {
  return NoThrow([&] {
    if (func != "kill" && func != "stop") {
      return sdk::Reply::Unsupported("the process driver has no action named '" + func + "'");
    }
    return PrepareAction(func, args, env);
  });
}

}  // namespace chaosrun::drivers::process
