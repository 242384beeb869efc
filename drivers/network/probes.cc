// Probes: look, never change anything.
//   tcp_connect:   {"connected", "connect_ms", "error", "address"} of one TCP connect.
//   proxy_stats:   chaosrun's GET /proxies/P/stats (counters); against a real Toxiproxy, which
//                  has no such route, what GET /proxies/P tells ("source": "toxiproxy").
//   qdisc_support: whether the kernel has a qdisc kind, and how that was decided.
#include <unistd.h>

#include "network/actions.h"
#include "network/args.h"
#include "network/kernel_support.h"
#include "network/proxy_api_client.h"
#include "network/proxy_spec.h"
#include "network/tcp.h"

namespace chaosrun::drivers::network {

namespace {

using nlohmann::json;

}  // namespace

sdk::Reply ProbeTcpConnect(const json& args, const Env& env) {
  if (std::string e = UnknownKey(args, {"host", "port", "timeout"}); !e.empty()) {
    return sdk::Reply::Invalid("tcp_connect: " + e);
  }
  std::string error;
  auto host = StringArg(args, "host", &error);
  if (!host) return sdk::Reply::Invalid("tcp_connect: host is required");
  auto port = args.contains("port") ? IntegerIn(args["port"], 1, 65535) : std::nullopt;
  if (!port) return sdk::Reply::Invalid("tcp_connect: port must be an integer from 1 to 65535");
  double timeout_s = 3.0;
  if (args.contains("timeout")) {
    auto t = NumberIn(args["timeout"], 0.001, 300.0);
    if (!t) return sdk::Reply::Invalid("tcp_connect: timeout must be 0.001 to 300 seconds");
    timeout_s = *t;
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::microseconds(static_cast<int64_t>(timeout_s * 1e6));
  const uint64_t start = env.NowNs();
  int fd = -1;
  std::string err = TcpConnect(*host, static_cast<int>(*port), deadline, env.cancelled, &fd);
  const uint64_t end = env.NowNs();
  if (err == "cancelled" || env.Cancelled()) {
    if (fd >= 0) ::close(fd);
    return sdk::Reply::Error(CHAOSRUN_CANCELLED, "tcp_connect: cancelled");
  }
  json out{{"address", *host + ":" + std::to_string(*port)}};
  if (fd >= 0) {
    ::close(fd);
    out["connected"] = true;
    out["connect_ms"] = static_cast<double>(end - start) / 1e6;
    out["error"] = nullptr;
  } else {
    out["connected"] = false;
    out["connect_ms"] = nullptr;
    out["error"] = err;
  }
  return sdk::Reply::Ok(out);
}

sdk::Reply ProbeProxyStats(const json& args, const Env& env) {
  if (std::string e = UnknownKey(args, {"api", "proxy"}); !e.empty()) {
    return sdk::Reply::Invalid("proxy_stats: " + e);
  }
  Url api;
  if (std::string e = ParseApiArg(args, &api); !e.empty()) {
    return sdk::Reply::Invalid("proxy_stats: " + e);
  }
  std::string error;
  auto proxy = StringArg(args, "proxy", &error);
  if (!proxy || !IsSafeName(*proxy, kMaxProxyName)) {
    return sdk::Reply::Invalid("proxy_stats: proxy must be a name of letters, digits and _.-");
  }
  const std::string path = "/proxies/" + *proxy;
  ApiReply stats = CallApi(api, "GET", path + "/stats", nullptr, env);
  if (stats.Ok() && stats.body.is_object()) {
    json out = stats.body;
    out["source"] = "chaosrun";
    return sdk::Reply::Ok(out);
  }
  if (!stats.error.empty()) return sdk::Reply::Failed("proxy_stats: " + stats.Describe());
  // No stats route (a real Toxiproxy) or no such proxy: ask for the proxy itself.
  ApiReply got = CallApi(api, "GET", path, nullptr, env);
  if (got.NotFound()) {
    return sdk::Reply::Failed("proxy_stats: no proxy named '" + *proxy + "' at " + api.ToString());
  }
  if (!got.Ok() || !got.body.is_object()) {
    return sdk::Reply::Failed("proxy_stats: GET " + path + ": " + got.Describe());
  }
  size_t toxics =
      got.body.contains("toxics") && got.body["toxics"].is_array() ? got.body["toxics"].size() : 0;
  return sdk::Reply::Ok(json{{"source", "toxiproxy"},
                             // As the API said them (JSON values: no conversion to throw).
                             {"name", got.body.value("name", json(*proxy))},
                             {"enabled", got.body.value("enabled", json(true))},
                             {"listen", got.body.value("listen", json(""))},
                             {"upstream", got.body.value("upstream", json(""))},
                             {"toxics_active", toxics}});
}

sdk::Reply ProbeQdiscSupport(const json& args, const Env& env) {
  if (std::string e = UnknownKey(args, {"kind"}); !e.empty()) {
    return sdk::Reply::Invalid("qdisc_support: " + e);
  }
  std::string error;
  auto kind = StringArg(args, "kind", &error);
  if (!kind || !IsSafeName(*kind, 32)) {
    return sdk::Reply::Invalid("qdisc_support: kind must be a qdisc kind such as \"netem\"");
  }
  QdiscSupport s = DetectQdisc(*kind, env);
  return sdk::Reply::Ok(json{
      {"kind", *kind}, {"supported", s.known && s.supported}, {"known", s.known}, {"how", s.how}});
}

}  // namespace chaosrun::drivers::network
