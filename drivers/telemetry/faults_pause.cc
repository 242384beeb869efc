// pause_process: the process driver's `stop` action under this driver's name (one
// implementation of selection, choice, SIGSTOP and the SIGCONT undo: process/*.cc).
#include <utility>

#include "process/actions.h"
#include "process/descriptor.h"
#include "telemetry/faults.h"

namespace chaosrun::drivers::telemetry {

namespace {

// The process driver's own errors name its action ("stop: ..."): say which action this is.
sdk::Reply Named(sdk::Reply r) {
  if (r.status != CHAOSRUN_OK && r.value.is_object() && r.value.contains("error") &&
      r.value["error"].is_string()) {
    r.value["error"] =
        "pause_process (process driver's stop): " + r.value["error"].get<std::string>();
  }
  return r;
}

process::Env ProcessEnv(const Env& env) {
  process::Env p;
  p.cancelled = env.cancelled;
  return p;
}

}  // namespace

nlohmann::json PauseProcessDescriptor() {
  nlohmann::json arguments = nlohmann::json::object();
  for (const auto& a : process::BuildDescriptor().value("actions", nlohmann::json::array())) {
    if (a.value("name", "") == "stop") arguments = a.value("arguments", nlohmann::json::object());
  }
  return nlohmann::json{
      {"name", "pause_process"},
      {"description",
       "freeze an exporter or agent with SIGSTOP (chosen by pid, pidfile, name, command line or "
       "unit, as the process driver's stop); undo: SIGCONT to exactly those processes"},
      {"arguments", std::move(arguments)}};
}

sdk::Reply PreparePause(const nlohmann::json& args, const Env& env) {
  return Named(process::Prepare("stop", args, ProcessEnv(env)));
}

sdk::Reply ApplyPause(const nlohmann::json& plan, const Env& env) {
  return Named(process::Apply("stop", plan, ProcessEnv(env)));
}

sdk::Reply UndoPause(const nlohmann::json& undo, const Env& env) {
  return Named(process::Undo("stop", undo, ProcessEnv(env)));
}

}  // namespace chaosrun::drivers::telemetry
