// Routes each call to its family by name.
#include "network/actions.h"
#include "network/proxy_spec.h"
#include "network/tc_spec.h"

namespace chaosrun::drivers::network {

namespace {

sdk::Reply NoAction(const std::string& func) {
  return sdk::Reply::Unsupported("the network driver has no action named '" + func + "'");
}

}  // namespace

sdk::Reply Prepare(const std::string& func, const nlohmann::json& args, const Env& env) {
  return NoThrow([&] {
    if (IsProxyAction(func)) return PrepareProxy(func, args, env);
    if (IsTcAction(func)) return PrepareTc(func, args, env);
    return NoAction(func);
  });
}

sdk::Reply Apply(const std::string& func, const nlohmann::json& plan, const Env& env) {
  return NoThrow([&] {
    if (IsProxyAction(func)) return ApplyProxy(func, plan, env);
    if (IsTcAction(func)) return ApplyTc(func, plan, env);
    return NoAction(func);
  });
}

sdk::Reply Undo(const std::string& func, const nlohmann::json& undo, const Env& env) {
  return NoThrow([&] {
    if (IsProxyAction(func)) return UndoProxy(func, undo, env);
    if (IsTcAction(func)) return UndoTc(func, undo, env);
    return NoAction(func);
  });
}

sdk::Reply Probe(const std::string& func, const nlohmann::json& args, const Env& env) {
  return NoThrow([&] {
    if (func == "tcp_connect") return ProbeTcpConnect(args, env);
    if (func == "proxy_stats") return ProbeProxyStats(args, env);
    if (func == "qdisc_support") return ProbeQdiscSupport(args, env);
    return sdk::Reply::Unsupported("the network driver has no probe named '" + func + "'");
  });
}

}  // namespace chaosrun::drivers::network
