// The network driver's calls, independent of the SDK plumbing (network_driver.cc) so that tests
// can call them in-process. None of them throws; bad input is CHAOSRUN_INVALID_ARGUMENT, a world
// that says no (API down, proxy missing, kernel without the qdisc) is FAILED or UNSUPPORTED.
//
// Two families of actions (see docs/driver-network.md for every plan and undo):
//   proxy actions over a Toxiproxy-compatible API: add_toxic, disable_proxy, create_proxy;
//     targets "proxy:<api host:port>/<proxy>".
//   tc actions on an interface: delay, loss, corrupt, duplicate, reorder (netem) and rate (tbf);
//     targets "interface:<namespace or host>/<ifname>".
// Probes: tcp_connect, proxy_stats, qdisc_support.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "chaosrun/driver_sdk.hpp"
#include "network/env.h"

namespace chaosrun::drivers::network {

sdk::Reply Prepare(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply Apply(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply Undo(const std::string& func, const nlohmann::json& undo, const Env& env);
sdk::Reply Probe(const std::string& func, const nlohmann::json& args, const Env& env);

// One family each (dispatch.cc routes by name).
sdk::Reply PrepareProxy(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply ApplyProxy(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply UndoProxy(const std::string& func, const nlohmann::json& undo, const Env& env);
sdk::Reply PrepareTc(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply ApplyTc(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply UndoTc(const std::string& func, const nlohmann::json& undo, const Env& env);
sdk::Reply ProbeTcpConnect(const nlohmann::json& args, const Env& env);
sdk::Reply ProbeProxyStats(const nlohmann::json& args, const Env& env);
sdk::Reply ProbeQdiscSupport(const nlohmann::json& args, const Env& env);

// Runs `fn`, turning any escaping exception into CHAOSRUN_INTERNAL.
template <typename Fn>
sdk::Reply NoThrow(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, std::string("network driver: ") + e.what());
  } catch (...) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, "network driver: unknown exception");
  }
}

}  // namespace chaosrun::drivers::network
