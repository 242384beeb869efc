// The toxic routes: /proxies/{proxy}/toxics and /proxies/{proxy}/toxics/{toxic}. Checks run in
// Toxiproxy's order (proxy, body, stream, type, name taken, attributes) so that a request with
// several mistakes gets the same error from both servers.
#include <algorithm>
#include <array>
#include <cctype>

#include "proxy_api/change_log.h"
#include "proxy_api/handlers.h"
#include "proxy_api/route_util.h"

namespace chaosrun::proxy_api {

namespace {

// The toxic types of the API: Toxiproxy's, including its pass-through "noop", and chaosrun's
// "corrupt" and "json_rewrite" (docs/proxy-api.md, extensions).
constexpr std::array<std::string_view, 10> kToxicTypes = {
    "latency", "bandwidth",  "slow_close", "timeout", "reset_peer",
    "slicer",  "limit_data", "noop",       "corrupt", "json_rewrite"};

bool KnownType(std::string_view type) {
  return std::find(kToxicTypes.begin(), kToxicTypes.end(), type) != kToxicTypes.end();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `attributes` (object or null) and chaosrun's `duration` (ms), checked for their JSON type; the
// engine checks their values.
bool GetAttributes(const Json& obj, const Json*& attributes, const Json*& duration,
                   std::string& error) {
  attributes = Member(obj, "attributes");
  if (attributes != nullptr && attributes->is_null()) attributes = nullptr;
  if (attributes != nullptr && !attributes->is_object()) {
    error = "bad request body: attributes must be an object";
    return false;
  }
  duration = Member(obj, "duration");
  if (duration != nullptr && duration->is_null()) duration = nullptr;
  if (duration != nullptr && !duration->is_number()) {
    error = "bad request body: duration must be a number of milliseconds";
    return false;
  }
  return true;
}

Response ProxyMissing(proxy::Engine& engine, const std::string& proxy, bool& missing) {
  auto p = engine.GetProxy(proxy);
  missing = !p;
  return missing ? FromStatus(p.error(), kProxyNotFound, kProxyAlreadyExists) : Response{};
}

}  // namespace

Response ListToxics(proxy::Engine& engine, const std::string& proxy) {
  auto list = engine.ListToxics(proxy);
  if (!list) return FromStatus(list.error(), kProxyNotFound, kToxicAlreadyExists);
  return JsonResponse(200, ToxicsInToxiproxyOrder(*list));
}

Response CreateToxic(proxy::Engine& engine, const std::string& proxy, std::string_view body) {
  bool missing = false;
  if (Response r = ProxyMissing(engine, proxy, missing); missing) return r;
  std::string error;
  auto json = ParseBody(body, error);
  if (!json) return ErrorResponse(400, error);
  if (!json->is_object()) return ErrorResponse(400, "bad request body: expected a JSON object");
  std::optional<std::string> name, type, stream;
  std::optional<double> toxicity;
  const Json* attributes = nullptr;
  const Json* duration = nullptr;
  if (!GetString(*json, "name", name, error) || !GetString(*json, "type", type, error) ||
      !GetString(*json, "stream", stream, error) ||
      !GetNumber(*json, "toxicity", toxicity, error) ||
      !GetAttributes(*json, attributes, duration, error)) {
    return ErrorResponse(400, error);
  }
  std::string direction = Lower(stream.value_or("downstream"));
  if (direction != "upstream" && direction != "downstream") {
    return ErrorResponse(400, kInvalidStream);
  }
  std::string toxic_name = name && !name->empty() ? *name : type.value_or("") + "_" + direction;
  if (!type || !KnownType(*type)) return ErrorResponse(400, kInvalidToxicType);
  if (engine.GetToxic(proxy, toxic_name)) return ErrorResponse(409, kToxicAlreadyExists);

  Json spec = Json::object();
  spec["name"] = toxic_name;
  spec["type"] = *type;
  spec["stream"] = direction;
  spec["toxicity"] = toxicity.value_or(1.0);
  spec["attributes"] = attributes != nullptr ? *attributes : Json::object();
  if (duration != nullptr) spec["duration"] = *duration;
  // chaosrun extension: the toxic's own generator seed (ToxicFromJson checks it).
  if (const Json* seed = Member(*json, "seed"); seed != nullptr && !seed->is_null()) {
    spec["seed"] = *seed;
  }
  auto parsed = proxy::ToxicFromJson(spec);
  if (!parsed) return ErrorResponse(400, "bad request body: " + parsed.error().message());
  auto added = engine.AddToxic(proxy, *parsed);
  if (!added) return FromStatus(added.error(), kProxyNotFound, kToxicAlreadyExists);
  LogToxicAdded(proxy, *added);
  return JsonResponse(200, *added);  // 200, not 201: Toxiproxy's status for a new toxic
}

Response ShowToxic(proxy::Engine& engine, const std::string& proxy, const std::string& toxic) {
  bool missing = false;
  if (Response r = ProxyMissing(engine, proxy, missing); missing) return r;
  auto t = engine.GetToxic(proxy, toxic);
  if (!t) return FromStatus(t.error(), kToxicNotFound, kToxicAlreadyExists);
  return JsonResponse(200, *t);
}

Response UpdateToxic(proxy::Engine& engine, const std::string& proxy, const std::string& toxic,
                     std::string_view body) {
  bool missing = false;
  if (Response r = ProxyMissing(engine, proxy, missing); missing) return r;
  if (auto t = engine.GetToxic(proxy, toxic); !t) {
    return FromStatus(t.error(), kToxicNotFound, kToxicAlreadyExists);
  }
  std::string error;
  auto json = ParseBody(body, error);
  if (!json) return ErrorResponse(400, error);
  if (!json->is_object()) return ErrorResponse(400, "bad request body: expected a JSON object");
  std::optional<double> toxicity;
  const Json* attributes = nullptr;
  const Json* duration = nullptr;
  if (!GetNumber(*json, "toxicity", toxicity, error) ||
      !GetAttributes(*json, attributes, duration, error)) {
    return ErrorResponse(400, error);
  }
  // Attributes merge into the toxic's; name, type and stream cannot change (ignored, as in
  // Toxiproxy).
  Json patch = Json::object();
  if (attributes != nullptr) patch["attributes"] = *attributes;
  if (toxicity) patch["toxicity"] = *toxicity;
  if (duration != nullptr) patch["duration"] = *duration;
  if (const Json* seed = Member(*json, "seed"); seed != nullptr && !seed->is_null()) {
    patch["seed"] = *seed;
  }
  auto updated = engine.UpdateToxic(proxy, toxic, patch);
  if (!updated) return FromStatus(updated.error(), kToxicNotFound, kToxicAlreadyExists);
  LogToxicUpdated(proxy, *updated);
  return JsonResponse(200, *updated);
}

Response DeleteToxic(proxy::Engine& engine, const std::string& proxy, const std::string& toxic) {
  bool missing = false;
  if (Response r = ProxyMissing(engine, proxy, missing); missing) return r;
  Status st = engine.RemoveToxic(proxy, toxic);
  if (!st.ok()) return FromStatus(st, kToxicNotFound, kToxicAlreadyExists);
  LogToxicRemoved(proxy, toxic);
  return NoContent();
}

}  // namespace chaosrun::proxy_api
