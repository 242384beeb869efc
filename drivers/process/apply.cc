// apply: send the planned signal to each planned process that is still the same process.
#include <signal.h>

#include "process/actions.h"
#include "process/args.h"
#include "process/identity.h"
#include "process/signals.h"

namespace chaosrun::drivers::process {

namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kSettle{5000};  // how long apply waits for the effect

// Why `r` is no longer the process that was planned, or "" if it still is.
std::string Gone(const std::string& root, const Recorded& r) {
  auto s = ReadStat(root, r.pid);
  if (!s || HasExited(*s)) return "exited";
  if (s->start_time != r.start_time) return "pid reused by another process";
  return {};
}

sdk::Reply ApplyAction(const std::string& func, const json& plan, const Env& env) {
  if (!plan.is_object()) return sdk::Reply::Invalid(func + ": the plan must be a JSON object");
  std::vector<Recorded> procs;
  if (std::string e =
          ParseRecorded(plan.contains("processes") ? plan["processes"] : json(), &procs);
      !e.empty()) {
    return sdk::Reply::Invalid(func + ": invalid plan: " + e);
  }
  int sig = SIGSTOP;
  if (func == "kill") {
    auto parsed = plan.contains("signal") ? ParseSignal(plan["signal"]) : std::nullopt;
    if (!parsed || IsJobControlSignal(*parsed)) {
      return sdk::Reply::Invalid("kill: invalid plan: no valid signal");
    }
    sig = *parsed;
  }
  json seed = plan.contains("seed") && Unsigned(plan["seed"]) ? plan["seed"] : json();

  json signalled = json::array();
  json skipped = json::array();
  std::vector<Recorded> done;
  for (const auto& r : procs) {
    std::string why =
        IsProtected(r.pid) ? "protected" : SignalSameProcess(env, r.pid, r.start_time, sig);
    if (!why.empty()) {
      skipped.push_back(json{{"pid", r.pid}, {"reason", why}});
      continue;
    }
    signalled.push_back(r.pid);
    done.push_back(r);
  }
  if (done.empty()) {
    return sdk::Reply::Failed(func + ": no planned process could be signalled: " + skipped.dump());
  }
  json result{{"signalled", signalled},
              {"skipped", skipped},
              {"seed", seed},
              {"signal", sig},
              {"signal_name", SignalName(sig)}};
  // Wait (bounded) for the effect, so that the next probe of the experiment sees it.
  const std::string& root = env.proc_root;
  if (sig == SIGSTOP) {
    json stopped = json::array();
    for (const auto& r : done) {
      auto is_stopped = [&] {
        auto s = ReadSameProcess(root, r.pid, r.start_time);
        return s && IsStopped(*s);
      };
      if (WaitFor(is_stopped, kSettle, env)) stopped.push_back(r.pid);
    }
    result["stopped"] = stopped;
  } else if (sig == SIGKILL) {
    json exited = json::array();
    for (const auto& r : done) {
      if (WaitFor([&] { return !Gone(root, r).empty(); }, kSettle, env)) exited.push_back(r.pid);
    }
    result["exited"] = exited;
  }
  return sdk::Reply::Ok(result);
}

}  // namespace

sdk::Reply Apply(const std::string& func, const json& plan, const Env& env) {
  return NoThrow([&] {
    if (func != "kill" && func != "stop") {
      return sdk::Reply::Unsupported("the process driver has no action named '" + func + "'");
    }
    return ApplyAction(func, plan, env);
  });
}

}  // namespace chaosrun::drivers::process
