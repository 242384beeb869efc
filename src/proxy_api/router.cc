#include "proxy_api/router.h"

#include <string>
#include <vector>

#include "common/version.h"
#include "proxy_api/handlers.h"
#include "proxy_api/populate.h"
#include "proxy_api/route_util.h"

namespace chaosrun::proxy_api {

namespace {

Response MethodNotAllowed(const char* allow) {
  Response r = ErrorResponse(405, "method not allowed");
  r.allow = allow;
  return r;
}

Response Version() {
  Json j = Json::object();
  j["version"] = kToxiproxyCompatVersion;  // what Toxiproxy clients compare against
  j["chaosrun"] = kVersion;
  Response r = JsonResponse(200, j);
  r.content_type = "application/json;charset=utf-8";
  return r;
}

Response Metrics(proxy::Engine& engine) {
  Response r;
  r.body = engine.PrometheusText();
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

bool Is(const std::string& method, const char* m) { return method == m; }

// /proxies/{proxy}/...: `rest` is what follows the proxy name.
Response RouteProxy(proxy::Engine& engine, const std::string& method, const std::string& proxy,
                    const std::vector<std::string>& rest, const std::string& body) {
  if (proxy.empty()) return ErrorResponse(404, "not found");
  if (rest.empty()) {
    if (Is(method, "GET")) return ShowProxy(engine, proxy);
    if (Is(method, "POST") || Is(method, "PATCH")) return UpdateProxy(engine, proxy, body);
    if (Is(method, "DELETE")) return DeleteProxy(engine, proxy);
    return MethodNotAllowed("GET, POST, PATCH, DELETE");
  }
  if (rest.size() == 1 && rest[0] == "toxics") {
    if (Is(method, "GET")) return ListToxics(engine, proxy);
    if (Is(method, "POST")) return CreateToxic(engine, proxy, body);
    return MethodNotAllowed("GET, POST");
  }
  if (rest.size() == 2 && rest[0] == "toxics" && !rest[1].empty()) {
    const std::string& toxic = rest[1];
    if (Is(method, "GET")) return ShowToxic(engine, proxy, toxic);
    if (Is(method, "POST") || Is(method, "PATCH")) return UpdateToxic(engine, proxy, toxic, body);
    if (Is(method, "DELETE")) return DeleteToxic(engine, proxy, toxic);
    return MethodNotAllowed("GET, POST, PATCH, DELETE");
  }
  if (rest.size() == 1 && rest[0] == "stats") {
    if (Is(method, "GET")) return ProxyStats(engine, proxy);
    return MethodNotAllowed("GET");
  }
  return ErrorResponse(404, "not found");
}

}  // namespace

namespace {

// The first non-loopback `listen` in a create, update or populate body (an object, a list of
// them, or {"proxies": [...]}); empty when there is none or the body is not JSON (the handler
// answers that).
std::string RemoteListenIn(std::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  std::vector<const Json*> items;
  if (j.is_object()) {
    items.push_back(&j);
    if (j.contains("proxies") && j["proxies"].is_array()) {
      for (const auto& e : j["proxies"]) items.push_back(&e);
    }
  } else if (j.is_array()) {
    for (const auto& e : j) items.push_back(&e);
  }
  for (const Json* e : items) {
    if (!e->is_object() || !e->contains("listen") || !(*e)["listen"].is_string()) continue;
    const std::string& listen = (*e)["listen"].get_ref<const std::string&>();
    if (listen.empty()) continue;  // the default, 127.0.0.1:0
    if (std::string why = RemoteListenReason(listen); !why.empty()) return why;
  }
  return {};
}

}  // namespace

Response Route(proxy::Engine& engine, const Request& request, const RouteOptions& options) {
  // Toxiproxy refuses browsers, so that a web page cannot drive the unauthenticated API of a
  // developer's machine (cross-site requests); chaosrun does the same.
  if (request.user_agent.starts_with("Mozilla/")) {
    return ErrorResponse(403, "User agent not allowed");
  }
  auto path = SplitPath(request.target);
  if (!path) return ErrorResponse(400, "malformed request target");
  const std::vector<std::string>& p = *path;
  const std::string& m = request.method;
  // Only loopback listeners, unless the server allows remote ones: the API is unauthenticated
  // and a proxy on every interface hands its upstream to the network.
  const bool sets_listen = !p.empty() && (p[0] == "proxies" || p[0] == "populate") &&
                           p.size() <= 2 && (Is(m, "POST") || Is(m, "PATCH"));
  if (sets_listen && !options.allow_remote) {
    if (std::string why = RemoteListenIn(request.body); !why.empty()) {
      return ErrorResponse(400, why);
    }
  }

  if (p.size() == 1) {
    const std::string& s = p[0];
    if (s == "proxies") {
      if (Is(m, "GET")) return ListProxies(engine);
      if (Is(m, "POST")) return CreateProxy(engine, request.body);
      return MethodNotAllowed("GET, POST");
    }
    if (s == "populate") {
      if (Is(m, "POST")) return Populate(engine, request.body).ToResponse();
      return MethodNotAllowed("POST");
    }
    if (s == "reset") {
      if (Is(m, "POST")) return ResetAll(engine);
      return MethodNotAllowed("POST");
    }
    if (s == "version") {
      if (Is(m, "GET")) return Version();
      return MethodNotAllowed("GET");
    }
    if (s == "metrics") {
      if (Is(m, "GET")) return Metrics(engine);
      return MethodNotAllowed("GET");
    }
  }
  if (p.size() >= 2 && p[0] == "proxies") {
    return RouteProxy(engine, m, p[1], std::vector<std::string>(p.begin() + 2, p.end()),
                      request.body);
  }
  return ErrorResponse(404, "not found");
}

}  // namespace chaosrun::proxy_api
