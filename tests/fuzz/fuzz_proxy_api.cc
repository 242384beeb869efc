// libFuzzer target: HTTP requests through the Toxiproxy-compatible API router, against a real
// engine holding one proxy. Input: first byte picks the method, then the target up to '\n', then
// the body. Every request must get a response with a valid status and, when JSON, a parseable
// body; never a crash, a hang or an exception.
//
// Safety: the fuzzer must not open listeners anywhere but loopback, so every "listen" member of
// a JSON body is forced to 127.0.0.1:0 before routing, and every proxy the input created is
// deleted afterwards.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proxy/engine.h"
#include "proxy_api/router.h"

using chaosrun::Json;
namespace proxy = chaosrun::proxy;
namespace api = chaosrun::proxy_api;

namespace {

proxy::Engine& TheEngine() {
  static proxy::Engine* engine = [] {
    proxy::Engine::Options options;
    options.seed = 1;
    auto* e = new proxy::Engine(options);
    proxy::ProxySpec p;
    p.name = "p";
    p.listen = "127.0.0.1:0";
    p.upstream = "127.0.0.1:9";
    if (!e->CreateProxy(p)) std::abort();
    return e;
  }();
  return *engine;
}

void ForceLoopback(Json& j) {
  if (j.is_array()) {
    for (auto& e : j) ForceLoopback(e);
  } else if (j.is_object()) {
    if (j.contains("listen")) j["listen"] = "127.0.0.1:0";
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kMethods[] = {"GET", "POST", "DELETE", "PATCH", "PUT", "HEAD"};
  api::Request req;
  req.method = kMethods[data[0] % 6];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nl = rest.find('\n');
  req.target = std::string(rest.substr(0, nl));
  req.body = nl == std::string_view::npos ? "" : std::string(rest.substr(nl + 1));
  Json body = Json::parse(req.body, nullptr, false);
  if (!body.is_discarded()) {
    ForceLoopback(body);
    req.body = body.dump();
  }
  proxy::Engine& engine = TheEngine();
  const api::Response res = api::Route(engine, req);
  if (res.status < 100 || res.status > 599) std::abort();
  if (res.content_type == "application/json" &&
      Json::parse(res.body, nullptr, false).is_discarded()) {
    std::abort();
  }
  // Back to one proxy "p" without toxics, so inputs stay independent.
  const Json proxies = engine.ListProxies();
  for (auto it = proxies.begin(); it != proxies.end(); ++it) {
    if (it.key() != "p") (void)engine.DeleteProxy(it.key());
  }
  engine.Reset();
  return 0;
}
