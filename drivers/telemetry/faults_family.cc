// PLACEHOLDER for the telemetry fault family (blackhole, delay, drop, corrupt, pause_process):
// owned by the faults_* work (TPROXY), who replace this file's body (or this file) with the real
// family. Until then the driver has no fault actions.
#include "telemetry/actions.h"

namespace chaosrun::drivers::telemetry {

bool IsFaultAction(const std::string&) { return false; }

nlohmann::json FaultActionsDescriptor() { return nlohmann::json::array(); }

sdk::Reply PrepareFault(const std::string& func, const nlohmann::json&, const Env&) {
  return sdk::Reply::Unsupported("the telemetry driver has no action named '" + func + "'");
}
sdk::Reply ApplyFault(const std::string& func, const nlohmann::json&, const Env&) {
  return sdk::Reply::Unsupported("the telemetry driver has no action named '" + func + "'");
}
sdk::Reply UndoFault(const std::string& func, const nlohmann::json&, const Env&) {
  return sdk::Reply::Unsupported("the telemetry driver has no action named '" + func + "'");
}

}  // namespace chaosrun::drivers::telemetry
