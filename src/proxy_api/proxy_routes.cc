// The proxy routes: /proxies, /proxies/{proxy}, /proxies/{proxy}/stats, /reset.
#include "proxy_api/change_log.h"
#include "proxy_api/handlers.h"
#include "proxy_api/populate.h"
#include "proxy_api/route_util.h"

namespace chaosrun::proxy_api {

Response ListProxies(proxy::Engine& engine) {
  Json all = engine.ListProxies();
  if (!all.is_object()) all = Json::object();
  for (auto& [name, p] : all.items()) p = ShownProxy(p);
  return JsonResponse(200, all);
}

Response CreateProxy(proxy::Engine& engine, std::string_view body) {
  std::string error;
  auto json = ParseBody(body, error);
  if (!json) return ErrorResponse(400, error);
  if (!json->is_object()) return ErrorResponse(400, "bad request body: expected a JSON object");
  std::optional<std::string> name, listen, upstream;
  std::optional<bool> enabled;
  if (!GetString(*json, "name", name, error) || !GetString(*json, "listen", listen, error) ||
      !GetString(*json, "upstream", upstream, error) ||
      !GetBool(*json, "enabled", enabled, error)) {
    return ErrorResponse(400, error);
  }
  if (!name || name->empty()) return ErrorResponse(400, "missing required field: name");
  if (!upstream || upstream->empty()) return ErrorResponse(400, "missing required field: upstream");
  proxy::ProxySpec spec;
  spec.name = *name;
  spec.listen = listen && !listen->empty() ? *listen : kDefaultListen;
  spec.upstream = *upstream;
  spec.enabled = enabled.value_or(true);
  if (!ReadProxyExtensions(*json, spec, error)) return ErrorResponse(400, error);
  auto created = engine.CreateProxy(spec);
  if (!created) return FromStatus(created.error(), kProxyNotFound, kProxyAlreadyExists);
  Json shown = ShownProxy(*created);
  LogProxyCreated(shown);
  return JsonResponse(201, shown);
}

Response ShowProxy(proxy::Engine& engine, const std::string& name) {
  auto p = engine.GetProxy(name);
  if (!p) return FromStatus(p.error(), kProxyNotFound, kProxyAlreadyExists);
  return JsonResponse(200, ShownProxy(*p));
}

Response UpdateProxy(proxy::Engine& engine, const std::string& name, std::string_view body) {
  // Toxiproxy looks the proxy up before it reads the body: an unknown proxy is a 404 whatever
  // the body holds.
  auto current = engine.GetProxy(name);
  if (!current) return FromStatus(current.error(), kProxyNotFound, kProxyAlreadyExists);
  std::optional<std::string> current_listen;
  if (const Json* l = Member(*current, "listen"); l != nullptr && l->is_string()) {
    current_listen = l->get<std::string>();
  }
  std::string error;
  auto json = ParseBody(body, error);
  if (!json) return ErrorResponse(400, error);
  if (!json->is_object()) return ErrorResponse(400, "bad request body: expected a JSON object");
  std::optional<std::string> listen, upstream;
  std::optional<bool> enabled;
  if (!GetString(*json, "listen", listen, error) ||
      !GetString(*json, "upstream", upstream, error) ||
      !GetBool(*json, "enabled", enabled, error)) {
    return ErrorResponse(400, error);
  }
  // Only the fields given change ("name" and "toxics" are ignored, as in Toxiproxy).
  Json patch = Json::object();
  // The same address written another way ("localhost:3310" for the bound "127.0.0.1:3310") is
  // no change, as Toxiproxy resolves it before comparing: the proxy is not restarted.
  if (listen && !(current_listen && SameListen(*current_listen, *listen))) {
    patch["listen"] = *listen;
  }
  if (upstream) patch["upstream"] = *upstream;
  if (enabled) patch["enabled"] = *enabled;
  auto updated = engine.UpdateProxy(name, patch);
  if (!updated) return FromStatus(updated.error(), kProxyNotFound, kProxyAlreadyExists);
  Json shown = ShownProxy(*updated);
  LogProxyUpdated(ShownProxy(*current), shown);
  return JsonResponse(200, shown);
}

Response DeleteProxy(proxy::Engine& engine, const std::string& name) {
  Status st = engine.DeleteProxy(name);
  if (!st.ok()) return FromStatus(st, kProxyNotFound, kProxyAlreadyExists);
  LogProxyDeleted(name);
  return NoContent();
}

Response ProxyStats(proxy::Engine& engine, const std::string& name) {
  auto s = engine.Stats(name);
  if (!s) return FromStatus(s.error(), kProxyNotFound, kProxyAlreadyExists);
  Json j = Json::object();
  j["name"] = name;
  j["connections_total"] = s->connections_total;
  j["connections_active"] = s->connections_active;
  j["connections_refused"] = s->connections_refused;
  j["bytes_upstream"] = s->bytes_upstream;
  j["bytes_downstream"] = s->bytes_downstream;
  j["toxics_active"] = s->toxics_active;
  // chaosrun extension: json_rewrite toxics' messages (docs/proxy-api.md).
  j["json_rewritten"] = s->json_rewritten;
  j["json_unchanged"] = s->json_unchanged;
  j["json_oversize"] = s->json_oversize;
  // A UDP proxy (chaosrun extension) counts client mappings as connections, and datagrams.
  auto p = engine.GetProxy(name);
  if (p && p->value("protocol", std::string("tcp")) == "udp") {
    j["datagrams_upstream"] = s->datagrams[0];
    j["datagrams_downstream"] = s->datagrams[1];
    j["datagrams_dropped_upstream"] = s->datagrams_dropped[0];
    j["datagrams_dropped_downstream"] = s->datagrams_dropped[1];
  }
  return JsonResponse(200, j);
}

Response ResetAll(proxy::Engine& engine) {
  engine.Reset();
  LogProxiesReset();
  return NoContent();
}

}  // namespace chaosrun::proxy_api
