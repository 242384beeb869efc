// The telemetry fault family (docs/telemetry.md, "Faults"): break a telemetry path through a
// fault proxy, or freeze the exporter.
//   blackhole, delay, drop, corrupt: one toxic on an existing proxy of a Toxiproxy-compatible API
//     (argument `proxy_api`, default http://127.0.0.1:8474; `proxy`: its name). TCP and UDP
//     proxies alike (a chaosrun UDP proxy lists "protocol": "udp"). Prepare GETs the proxy (no side
//     effect) and computes the undo, DELETE of the toxic by name; undo is idempotent (a missing
//     toxic is success). Target "proxy:<api host:port>/<proxy>" (network::ProxyTarget).
//   pause_process: the process driver's `stop` (SIGSTOP; undo SIGCONT to exactly those
//     processes), same selectors and targets "process:<comm>/<pid>".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "chaosrun/driver_sdk.hpp"
#include "telemetry/env.h"

namespace chaosrun::drivers::telemetry {

// The proxy faults (faults_proxy.cc).
bool IsProxyFault(const std::string& func);
nlohmann::json ProxyFaultsDescriptor();
sdk::Reply PrepareProxyFault(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply ApplyProxyFault(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply UndoProxyFault(const std::string& func, const nlohmann::json& undo, const Env& env);

// pause_process (faults_pause.cc).
nlohmann::json PauseProcessDescriptor();
sdk::Reply PreparePause(const nlohmann::json& args, const Env& env);
sdk::Reply ApplyPause(const nlohmann::json& plan, const Env& env);
sdk::Reply UndoPause(const nlohmann::json& undo, const Env& env);

}  // namespace chaosrun::drivers::telemetry
