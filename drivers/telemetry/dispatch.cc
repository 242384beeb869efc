// Routes each call to its family by name.
#include "telemetry/actions.h"

namespace chaosrun::drivers::telemetry {

namespace {

sdk::Reply NoTelemetryAction(const std::string& func) {
  return sdk::Reply::Unsupported("the telemetry driver has no action named '" + func + "'");
}

}  // namespace

sdk::Reply Prepare(const std::string& func, const nlohmann::json& args, const Env& env) {
  return NoThrow([&] {
    if (IsSinkAction(func)) return PrepareSink(args);
    if (IsFaultAction(func)) return PrepareFault(func, args, env);
    return NoTelemetryAction(func);
  });
}

sdk::Reply Apply(const std::string& func, const nlohmann::json& plan, const Env& env) {
  return NoThrow([&] {
    if (IsSinkAction(func)) return ApplySink(plan);
    if (IsFaultAction(func)) return ApplyFault(func, plan, env);
    return NoTelemetryAction(func);
  });
}

sdk::Reply Undo(const std::string& func, const nlohmann::json& undo, const Env& env) {
  return NoThrow([&] {
    if (IsSinkAction(func)) return UndoSink(undo);
    if (IsFaultAction(func)) return UndoFault(func, undo, env);
    return NoTelemetryAction(func);
  });
}

sdk::Reply Probe(const std::string& func, const nlohmann::json& args, const Env& env) {
  return NoThrow([&] {
    if (func == "prometheus_query") return ProbePrometheusQuery(args, env);
    if (func == "alert_firing") return ProbeAlertFiring(args, env);
    if (func == "notification_received") return ProbeNotificationReceived(args, env);
    return sdk::Reply::Unsupported("the telemetry driver has no probe named '" + func + "'");
  });
}

}  // namespace chaosrun::drivers::telemetry
