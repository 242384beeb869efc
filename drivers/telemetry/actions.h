// The telemetry driver's calls, independent of the SDK plumbing (telemetry_driver.cc) so that
// tests can call them in-process. None of them throws; bad input is CHAOSRUN_INVALID_ARGUMENT, a
// world that says no (Prometheus down, a bad query) is CHAOSRUN_FAILED, a cancelled wait is
// CHAOSRUN_CANCELLED. See docs/telemetry.md.
//
// Probes (prometheus.cc, alerts.cc, sink_calls.cc): prometheus_query, alert_firing,
//   notification_received; each with an optional `wait_until` (wait.h).
// Actions: start_notification_sink (sink_calls.cc); the telemetry faults blackhole, delay, drop,
//   corrupt, pause_process live in faults_*.cc behind IsFaultAction/...Fault below.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "chaosrun/driver_sdk.hpp"
#include "telemetry/env.h"

namespace chaosrun::drivers::telemetry {

sdk::Reply Prepare(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply Apply(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply Undo(const std::string& func, const nlohmann::json& undo, const Env& env);
sdk::Reply Probe(const std::string& func, const nlohmann::json& args, const Env& env);

// Probes.
sdk::Reply ProbePrometheusQuery(const nlohmann::json& args, const Env& env);
sdk::Reply ProbeAlertFiring(const nlohmann::json& args, const Env& env);
sdk::Reply ProbeNotificationReceived(const nlohmann::json& args, const Env& env);

// The notification sink's action (sink_calls.cc); the plan and undo need no Env.
bool IsSinkAction(const std::string& func);
sdk::Reply PrepareSink(const nlohmann::json& args);
sdk::Reply ApplySink(const nlohmann::json& plan);
sdk::Reply UndoSink(const nlohmann::json& undo);

// The fault family (faults_*.cc): the names it answers, and its three phases. Their
// descriptor entries come from FaultActionsDescriptor() (a JSON array of action entries).
bool IsFaultAction(const std::string& func);
nlohmann::json FaultActionsDescriptor();
sdk::Reply PrepareFault(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply ApplyFault(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply UndoFault(const std::string& func, const nlohmann::json& undo, const Env& env);

// Runs `fn`, turning any escaping exception into CHAOSRUN_INTERNAL.
template <typename Fn>
sdk::Reply NoThrow(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, std::string("telemetry driver: ") + e.what());
  } catch (...) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, "telemetry driver: unknown exception");
  }
}

}  // namespace chaosrun::drivers::telemetry
