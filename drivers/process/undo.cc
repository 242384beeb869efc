// undo: idempotent, and safe when apply never ran or only partly ran.
//   stop: SIGCONT to each recorded process that is still the same process (pid + start time).
//   kill: count the live instances; start as many as are missing, up to the number killed.
#include <signal.h>

#include <algorithm>
#include <set>

#include "process/actions.h"
#include "process/args.h"
#include "process/identity.h"
#include "process/signals.h"
#include "process/spawn.h"

namespace chaosrun::drivers::process {

namespace {

using nlohmann::json;

sdk::Reply UndoStop(const json& undo, const Env& env) {
  std::vector<Recorded> procs;
  if (std::string e =
          ParseRecorded(undo.contains("processes") ? undo["processes"] : json(), &procs);
      !e.empty()) {
    return sdk::Reply::Invalid("stop: invalid undo: " + e);
  }
  json continued = json::array();
  json skipped = json::array();
  std::string failures;
  for (const auto& r : procs) {
    // Through a pidfd after the start-time check: a recycled pid is never signalled.
    std::string why =
        IsProtected(r.pid) ? "protected" : SignalSameProcess(env, r.pid, r.start_time, SIGCONT);
    if (!why.empty() && why != "exited" && why != "pid reused by another process" &&
        why != "protected") {
      failures += " " + std::to_string(r.pid) + ": " + why + ";";
    }
    if (why.empty()) {
      continued.push_back(r.pid);
    } else {
      skipped.push_back(json{{"pid", r.pid}, {"reason", why}});
    }
  }
  if (!failures.empty()) return sdk::Reply::Failed("stop: could not continue" + failures);
  return sdk::Reply::Ok(json{{"continued", continued}, {"skipped", skipped}});
}

sdk::Reply UndoKill(const json& undo, const Env& env) {
  Selector sel;
  if (!undo.contains("selector")) return sdk::Reply::Invalid("kill: invalid undo: no selector");
  if (std::string e = ParseSelector(undo["selector"], &sel); !e.empty()) {
    return sdk::Reply::Invalid("kill: invalid undo: " + e);
  }
  std::vector<Recorded> killed;
  if (std::string e = ParseRecorded(undo.contains("killed") ? undo["killed"] : json(), &killed);
      !e.empty()) {
    return sdk::Reply::Invalid("kill: invalid undo: " + e);
  }
  auto baseline = undo.contains("baseline") ? Unsigned(undo["baseline"]) : std::nullopt;
  if (!baseline) return sdk::Reply::Invalid("kill: invalid undo: no baseline");
  std::vector<std::string> restart;
  if (undo.contains("restart")) {
    const json& r = undo["restart"];
    if (!r.is_array() || r.empty()) return sdk::Reply::Invalid("kill: invalid undo: restart");
    for (const auto& a : r) {
      if (!a.is_string()) return sdk::Reply::Invalid("kill: invalid undo: restart");
      restart.push_back(a.get<std::string>());
    }
  }
  std::string unit;
  if (undo.contains("unit")) {
    Selector u;
    if (!undo["unit"].is_string() || !ParseSelector(json{{"unit", undo["unit"]}}, &u).empty()) {
      return sdk::Reply::Invalid("kill: invalid undo: unit");
    }
    unit = u.value;
  }
  if (restart.empty() && unit.empty()) {
    return sdk::Reply::Invalid("kill: invalid undo: neither restart nor unit");
  }
  // Who each restart runs as: restart_as (restart.user) or the killed process's own identity.
  std::vector<Credentials> as;
  if (!restart.empty()) {
    if (undo.contains("restart_as")) {
      Credentials c;
      if (std::string e = ParseCredentials(undo["restart_as"], &c); !e.empty()) {
        return sdk::Reply::Invalid("kill: invalid undo: restart_as: " + e);
      }
      as.assign(killed.size(), c);
    } else {
      const json& list = undo["killed"];
      for (size_t i = 0; i < killed.size(); ++i) {
        Credentials c;
        std::string e = list[i].contains("as") ? ParseCredentials(list[i]["as"], &c)
                                               : "no identity recorded (an older undo?)";
        if (!e.empty()) {
          return sdk::Reply::Invalid("kill: invalid undo: killed/" + std::to_string(i) +
                                     ": cannot restart as the killed process: " + e);
        }
        as.push_back(std::move(c));
      }
    }
  }

  std::set<std::string> identities;
  for (const auto& k : killed) identities.insert(IdentityKey(k.cmdline, k.comm));
  std::string lookup_error;
  std::vector<int> present = Instances(sel, identities, env, &lookup_error);
  size_t missing = 0;
  if (*baseline > present.size()) {
    missing = std::min<size_t>(killed.size(), static_cast<size_t>(*baseline - present.size()));
  }
  json result{{"baseline", *baseline}, {"present", present}, {"missing", missing}};
  if (missing == 0) {
    result["restarted"] = json::array();
    return sdk::Reply::Ok(result);
  }
  if (!restart.empty()) {
    json started = json::array();
    for (size_t i = 0; i < missing; ++i) {
      DetachedResult d = SpawnDetached(restart, &as[i]);
      if (!d.ok) {
        return sdk::Reply::Failed(
            "kill: restart failed: " + d.error +
            (started.empty() ? "" : " (started before: " + started.dump() + ")"));
      }
      started.push_back(d.pid);
    }
    result["restarted"] = started;
    return sdk::Reply::Ok(result);
  }
  CaptureResult r =
      RunCapture({"systemctl", "start", unit}, std::chrono::seconds(90), env.cancelled);
  if (r.cancelled) return sdk::Reply::Error(CHAOSRUN_CANCELLED, "kill: systemctl start cancelled");
  if (!r.Succeeded()) {
    return sdk::Reply::Failed("kill: systemctl start " + unit + " failed: " + r.Describe());
  }
  result["restarted"] = json::array();
  result["unit_started"] = unit;
  return sdk::Reply::Ok(result);
}

}  // namespace

sdk::Reply Undo(const std::string& func, const json& undo, const Env& env) {
  return NoThrow([&] {
    if (func != "kill" && func != "stop") {
      return sdk::Reply::Unsupported("the process driver has no action named '" + func + "'");
    }
    if (!undo.is_object()) return sdk::Reply::Invalid(func + ": the undo must be a JSON object");
    if (undo.contains("action") && undo["action"] != func) {
      return sdk::Reply::Invalid(func + ": this undo belongs to " + undo["action"].dump());
    }
    return func == "stop" ? UndoStop(undo, env) : UndoKill(undo, env);
  });
}

}  // namespace chaosrun::drivers::process
