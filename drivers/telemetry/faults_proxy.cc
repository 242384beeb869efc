// blackhole, delay, drop, corrupt: one toxic each on an existing proxy (faults.h).
//   blackhole: `timeout` with timeout 0 on the upstream stream: a TCP connection is accepted
//              and then silent (nothing reaches the exporter, no answer, no close); a UDP proxy
//              drops every datagram.
//   delay:     `latency` {latency, jitter} (ms) on the downstream stream (the answers).
//   drop:      TCP: `reset_peer` with timeout 0 and toxicity = fraction (that fraction of the
//              connections is reset at their first request); UDP: `timeout` with toxicity =
//              fraction (that fraction of the datagrams vanishes). The toxic's `seed` (the
//              argument, else one drawn here) makes the pattern reproducible; the result reports
//              it.
//   corrupt:   `corrupt` {rate: fraction * 10^6} on the downstream stream, seeded the same way.
#include <random>

#include "network/proxy_api_client.h"
#include "network/proxy_spec.h"
#include "telemetry/args.h"
#include "telemetry/faults.h"

namespace chaosrun::drivers::telemetry {

namespace {

constexpr const char* kFaults[] = {"blackhole", "delay", "drop", "corrupt"};

network::Env NetworkEnv(const Env& env) {
  network::Env n;
  n.cancelled = env.cancelled;
  n.monotonic_ns = env.monotonic_ns;
  n.http_timeout = env.http_timeout;
  return n;
}

struct FaultSpec {
  network::Url api;
  std::string token_file;  // proxy_api_token_file ("": no Authorization)
  std::string proxy;
  std::string toxic;   // its name: "chaosrun_<func>" unless `toxic_name`
  std::string stream;  // "upstream" | "downstream"
  json args;           // what the action was asked (checked)
};

// Checks the arguments shared by the four faults and the func's own; `own` lists the latter.
std::string ParseFault(const std::string& func, const json& args,
                       std::initializer_list<const char*> own, FaultSpec* out) {
  if (!args.is_object()) return "arguments: must be a JSON object";
  std::vector<const char*> allowed{"proxy_api", "proxy_api_token_file", "proxy", "toxic_name",
                                   "stream"};
  allowed.insert(allowed.end(), own.begin(), own.end());
  for (const auto& item : args.items()) {
    bool known = false;
    for (const char* k : allowed) known = known || item.key() == k;
    if (!known) return "unknown argument '" + item.key() + "'";
  }
  json api_args = json::object();
  if (args.contains("proxy_api")) api_args["api"] = args["proxy_api"];
  if (std::string e = network::ParseApiArg(api_args, &out->api); !e.empty()) {
    return e.rfind("api", 0) == 0 ? "proxy_" + e : "proxy_api: " + e;
  }
  std::string error;
  auto token_file = StringArg(args, "proxy_api_token_file", &error);
  if (!error.empty()) return "proxy_api_token_file: " + error;
  if (token_file) out->token_file = *token_file;
  auto proxy = StringArg(args, "proxy", &error);
  if (!proxy) return error.empty() ? "proxy: required" : "proxy: " + error;
  if (!network::IsSafeName(*proxy, network::kMaxProxyName)) {
    return "proxy: letters, digits and _.- only (at most 128)";
  }
  out->proxy = *proxy;
  auto name = StringArg(args, "toxic_name", &error);
  if (!error.empty()) return "toxic_name: " + error;
  out->toxic = name ? *name : "chaosrun_" + func;
  if (!network::IsSafeName(out->toxic, network::kMaxProxyName)) {
    return "toxic_name: letters, digits and _.- only (at most 128)";
  }
  auto stream = StringArg(args, "stream", &error);
  if (!error.empty()) return "stream: " + error;
  out->stream =
      stream ? *stream : (func == "delay" || func == "corrupt" ? "downstream" : "upstream");
  if (out->stream != "upstream" && out->stream != "downstream") {
    return "stream: must be \"upstream\" or \"downstream\"";
  }
  out->args = args;
  return {};
}

// A number argument in [min, max] (`fallback` when absent).
std::string NumberArg(const json& args, const char* key, double min, double max, double fallback,
                      double* out) {
  if (!args.contains(key)) {
    *out = fallback;
    return {};
  }
  auto v = NumberIn(args[key], min, max);
  if (!v) {
    return std::string(key) + ": must be a number from " + json(min).dump() + " to " +
           json(max).dump();
  }
  *out = *v;
  return {};
}

// The seed argument, else a fresh one (reported in the plan and the result).
std::string SeedArg(const json& args, uint64_t* out) {
  if (args.contains("seed")) {
    const json& v = args["seed"];
    if (v.is_number_unsigned()) {
      *out = v.get<uint64_t>();
    } else if (v.is_number_integer() && v.get<int64_t>() >= 0) {
      *out = static_cast<uint64_t>(v.get<int64_t>());
    } else {
      return "seed: must be a non-negative integer";
    }
    return {};
  }
  std::random_device rd;
  *out = (static_cast<uint64_t>(rd()) << 32 | rd()) & ((uint64_t{1} << 53) - 1);  // exact in JSON
  return {};
}

// The toxic body for `func` on a proxy of `protocol`; error message on bad arguments.
std::string ToxicBody(const std::string& func, const FaultSpec& spec, const std::string& protocol,
                      json* body) {
  const json& args = spec.args;
  json b{{"name", spec.toxic}, {"stream", spec.stream}, {"toxicity", 1.0}};
  if (func == "blackhole") {
    b["type"] = "timeout";
    b["attributes"] = {{"timeout", 0}};
  } else if (func == "delay") {
    double latency = 0, jitter = 0;
    if (!args.contains("latency")) return "latency: required (milliseconds)";
    if (std::string e = NumberArg(args, "latency", 0, 3.6e6, 0, &latency); !e.empty()) return e;
    if (std::string e = NumberArg(args, "jitter", 0, 3.6e6, 0, &jitter); !e.empty()) return e;
    b["type"] = "latency";
    b["attributes"] = {{"latency", static_cast<int64_t>(latency)},
                       {"jitter", static_cast<int64_t>(jitter)}};
  } else {
    uint64_t seed = 0;
    if (std::string e = SeedArg(args, &seed); !e.empty()) return e;
    b["seed"] = seed;
    if (func == "drop") {
      double fraction = 0;
      if (!args.contains("fraction")) return "fraction: required (0 to 1)";
      if (std::string e = NumberArg(args, "fraction", 0, 1, 0, &fraction); !e.empty()) return e;
      b["toxicity"] = fraction;
      b["type"] = protocol == "udp" ? "timeout" : "reset_peer";
      b["attributes"] = {{"timeout", 0}};
    } else {
      double rate = 0;
      if (std::string e = NumberArg(args, "rate", 0, 1, 0.01, &rate); !e.empty()) return e;
      b["type"] = "corrupt";
      b["attributes"] = {{"rate", static_cast<int64_t>(rate * 1e6 + 0.5)}};
    }
  }
  *body = std::move(b);
  return {};
}

std::initializer_list<const char*> OwnArgs(const std::string& func) {
  static const std::initializer_list<const char*> none{}, delay{"latency", "jitter"},
      drop{"fraction", "seed"}, corrupt{"rate", "seed"};
  if (func == "delay") return delay;
  if (func == "drop") return drop;
  if (func == "corrupt") return corrupt;
  return none;
}

bool HasToxicNamed(const json& proxy, const std::string& name) {
  if (!proxy.is_object() || !proxy.contains("toxics") || !proxy["toxics"].is_array()) return false;
  for (const auto& t : proxy["toxics"]) {
    if (t.is_object() && t.value("name", json()) == name) return true;
  }
  return false;
}

std::string ToxicsPath(const std::string& proxy) { return "/proxies/" + proxy + "/toxics"; }

// The api and proxy of a plan or undo (the ledger's copy: checked again, never trusted).
std::string ReadTarget(const json& j, network::Url* api, std::string* proxy, std::string* toxic) {
  if (!j.is_object()) return "must be a JSON object";
  if (std::string e = network::ParseApiArg(j, api); !e.empty()) return e;
  std::string error;
  auto p = StringArg(j, "proxy", &error);
  auto t = StringArg(j, "toxic", &error);
  if (!p || !network::IsSafeName(*p, network::kMaxProxyName)) return "no valid proxy name";
  if (!t || !network::IsSafeName(*t, network::kMaxProxyName)) return "no valid toxic name";
  *proxy = *p;
  *toxic = *t;
  return {};
}

}  // namespace

bool IsProxyFault(const std::string& func) {
  for (const char* f : kFaults) {
    if (func == f) return true;
  }
  return false;
}

sdk::Reply PrepareProxyFault(const std::string& func, const json& args, const Env& env) {
  FaultSpec spec;
  if (std::string e = ParseFault(func, args, OwnArgs(func), &spec); !e.empty()) {
    return sdk::Reply::Invalid(func + ": " + e);
  }
  const std::string path = "/proxies/" + spec.proxy;
  // The token file is the network driver's api_token_file: read here, its path (never the token)
  // kept in the plan and the undo, read again by apply and undo.
  json token_ref = json::object();
  if (!spec.token_file.empty()) token_ref["api_token_file"] = spec.token_file;
  network::Env net = NetworkEnv(env);
  if (std::string e = network::LoadApiToken(token_ref, &net); !e.empty()) {
    return sdk::Reply::Failed(func + ": refused: proxy_" + e);
  }
  network::ApiReply got = network::CallApi(spec.api, "GET", path, nullptr, net);
  if (!got.error.empty()) {
    return sdk::Reply::Failed(func + ": cannot reach the proxy API: " + got.Describe());
  }
  if (got.NotFound()) {
    return sdk::Reply::Failed(func + ": refused: no proxy named '" + spec.proxy + "' at " +
                              spec.api.ToString());
  }
  if (got.status == 401) {
    return sdk::Reply::Failed(func + ": refused by the proxy API at " + spec.api.ToString() + ": " +
                              got.Describe());
  }
  if (!got.Ok() || !got.body.is_object()) {
    return sdk::Reply::Failed(func + ": unexpected answer to GET " + path + ": " + got.Describe());
  }
  if (HasToxicNamed(got.body, spec.toxic)) {
    return sdk::Reply::Failed(func + ": refused: proxy '" + spec.proxy +
                              "' already has a toxic named '" + spec.toxic +
                              "' (its undo would remove someone else's toxic); give another "
                              "toxic_name");
  }
  const json protocol_value = got.body.value("protocol", json("tcp"));
  const std::string protocol = protocol_value.is_string() ? protocol_value.get<std::string>() : "";
  if (protocol != "tcp" && protocol != "udp") {
    return sdk::Reply::Failed(func + ": proxy '" + spec.proxy + "' has an unknown protocol");
  }
  json body;
  if (std::string e = ToxicBody(func, spec, protocol, &body); !e.empty()) {
    return sdk::Reply::Invalid(func + ": " + e);
  }
  const std::string api = spec.api.ToString();
  json plan{{"targets", json::array({network::ProxyTarget(spec.api, spec.proxy)})},
            {"api", api},
            {"proxy", spec.proxy},
            {"toxic", spec.toxic},
            {"protocol", protocol},
            {"body", body},
            {"undo", {{"api", api}, {"proxy", spec.proxy}, {"toxic", spec.toxic}}}};
  if (body.contains("seed")) plan["seed"] = body["seed"];
  if (!spec.token_file.empty()) {
    plan["api_token_file"] = spec.token_file;
    plan["undo"]["api_token_file"] = spec.token_file;
  }
  return sdk::Reply::Ok(plan);
}

sdk::Reply ApplyProxyFault(const std::string& func, const json& plan, const Env& env) {
  network::Url api;
  std::string proxy, toxic;
  if (std::string e = ReadTarget(plan, &api, &proxy, &toxic); !e.empty()) {
    return sdk::Reply::Invalid(func + ": invalid plan: " + e);
  }
  if (!plan.contains("body") || !plan["body"].is_object()) {
    return sdk::Reply::Invalid(func + ": invalid plan: no body");
  }
  network::Env net = NetworkEnv(env);
  if (std::string e = network::LoadApiToken(plan, &net); !e.empty()) {
    return sdk::Reply::Failed(func + ": " + e);
  }
  network::ApiReply r = network::CallApi(api, "POST", ToxicsPath(proxy), plan["body"], net);
  if (!r.Ok()) return sdk::Reply::Failed(func + ": " + r.Describe());
  json result{
      {"proxy", proxy}, {"protocol", plan.value("protocol", json("tcp"))}, {"toxic", r.body}};
  if (plan.contains("seed")) result["seed"] = plan["seed"];  // so the journal holds it
  return sdk::Reply::Ok(result);
}

sdk::Reply UndoProxyFault(const std::string& func, const json& undo, const Env& env) {
  network::Url api;
  std::string proxy, toxic;
  if (std::string e = ReadTarget(undo, &api, &proxy, &toxic); !e.empty()) {
    return sdk::Reply::Invalid(func + ": invalid undo: " + e);
  }
  const std::string path = ToxicsPath(proxy) + "/" + toxic;
  network::Env net = NetworkEnv(env);  // an unreadable token file now: failed, retried later
  if (std::string e = network::LoadApiToken(undo, &net); !e.empty()) {
    return sdk::Reply::Failed(func + ": undo: " + e);
  }
  network::ApiReply r = network::CallApi(api, "DELETE", path, nullptr, net);
  // Idempotent: a toxic (or proxy) already gone is what the undo wants.
  if (r.NotFound()) return sdk::Reply::Ok(json{{"removed", false}, {"reason", "already gone"}});
  if (!r.Ok()) return sdk::Reply::Failed(func + ": undo: DELETE " + path + ": " + r.Describe());
  return sdk::Reply::Ok(json{{"removed", true}});
}

}  // namespace chaosrun::drivers::telemetry
