// The telemetry fault family's entry points (actions.h): routes by name to faults_proxy.cc and
// faults_pause.cc, and lists their descriptor entries.
#include "telemetry/actions.h"
#include "telemetry/faults.h"

namespace chaosrun::drivers::telemetry {

bool IsFaultAction(const std::string& func) {
  return IsProxyFault(func) || func == "pause_process";
}

nlohmann::json FaultActionsDescriptor() {
  nlohmann::json all = ProxyFaultsDescriptor();
  all.push_back(PauseProcessDescriptor());
  return all;
}

sdk::Reply PrepareFault(const std::string& func, const nlohmann::json& args, const Env& env) {
  if (func == "pause_process") return PreparePause(args, env);
  return PrepareProxyFault(func, args, env);
}

sdk::Reply ApplyFault(const std::string& func, const nlohmann::json& plan, const Env& env) {
  if (func == "pause_process") return ApplyPause(plan, env);
  return ApplyProxyFault(func, plan, env);
}

sdk::Reply UndoFault(const std::string& func, const nlohmann::json& undo, const Env& env) {
  if (func == "pause_process") return UndoPause(undo, env);
  return UndoProxyFault(func, undo, env);
}

}  // namespace chaosrun::drivers::telemetry
