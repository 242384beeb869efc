// The proxy actions over a Toxiproxy-compatible API. Only Toxiproxy's own routes are used, so
// they work against a real Toxiproxy too.
//   add_toxic:     prepare GETs the proxy (must exist, the toxic name must be free);
//                  apply POST /proxies/P/toxics; undo DELETE /proxies/P/toxics/T.
//   disable_proxy: prepare records `enabled`; apply POST /proxies/P {"enabled": false};
//                  undo POST /proxies/P {"enabled": <recorded>}.
//   create_proxy:  prepare checks the name is free; apply POST /proxies; undo DELETE /proxies/P.
//   rewrite_json:  add_toxic with a json_rewrite toxic (chaosrun's proxy; Toxiproxy refuses it).
// Undo is idempotent (404: already gone) and never removes what is not the fault's own: a toxic
// or proxy of the same name that differs from the recorded one is left in place.
#include "network/actions.h"
#include "network/args.h"
#include "network/proxy_api_client.h"
#include "network/proxy_spec.h"

namespace chaosrun::drivers::network {

namespace {

using nlohmann::json;

std::string ProxyPath(const std::string& proxy) { return "/proxies/" + proxy; }

// The actions whose fault is one toxic (undo: delete it).
bool IsToxicAction(const std::string& func) {
  return func == "add_toxic" || func == "rewrite_json";
}

bool HasToxic(const json& proxy, const std::string& name) {
  if (!proxy.is_object() || !proxy.contains("toxics") || !proxy["toxics"].is_array()) {
    return false;
  }
  for (const auto& t : proxy["toxics"]) {
    if (t.is_object() && t.value("name", json()) == name) return true;  // no throw on a non-string
  }
  return false;
}

// `actual` has every member of `expected` with an equal value.
bool Covers(const json& actual, const json& expected) {
  if (!expected.is_object()) return true;
  if (!actual.is_object()) return false;
  for (const auto& item : expected.items()) {
    if (!actual.contains(item.key()) || actual[item.key()] != item.value()) return false;
  }
  return true;
}

// Adds the token file's path (never the token) to a plan or an undo that has one.
json WithTokenFile(json j, const std::string& token_file) {
  if (!token_file.empty()) j["api_token_file"] = token_file;
  return j;
}

sdk::Reply PrepareAction(const std::string& func, const json& args, const Env& host_env) {
  ProxyActionSpec spec;
  if (std::string e = ParseProxyAction(func, args, &spec); !e.empty()) {
    return sdk::Reply::Invalid(func + ": " + e);
  }
  Env env = host_env;
  if (std::string e = LoadApiToken(args, &env); !e.empty()) {
    return sdk::Reply::Failed(func + ": refused: " + e);
  }
  const std::string api = spec.api.ToString();
  ApiReply got = CallApi(spec.api, "GET", ProxyPath(spec.proxy), nullptr, env);
  if (!got.error.empty())
    return sdk::Reply::Failed(func + ": cannot reach the proxy API: " + got.Describe());
  if (got.status == 401) {
    return sdk::Reply::Failed(func + ": refused by the proxy API at " + api + ": " +
                              got.Describe());
  }
  json plan{{"targets", json::array({ProxyTarget(spec.api, spec.proxy)})},
            {"api", api},
            {"proxy", spec.proxy}};
  if (!spec.api_token_file.empty()) plan["api_token_file"] = spec.api_token_file;
  if (func == "create_proxy") {
    if (got.status != 404) {
      return sdk::Reply::Failed(
          "create_proxy: refused: " +
          (got.Ok() ? "a proxy named '" + spec.proxy + "' already exists at " + api +
                          " (its undo would delete someone else's proxy)"
                    : "unexpected answer to GET " + ProxyPath(spec.proxy) + ": " + got.Describe()));
    }
    plan["body"] = spec.ProxyBody();
    plan["undo"] =
        WithTokenFile(json{{"api", api}, {"proxy", spec.proxy}, {"upstream", spec.upstream}},
                      spec.api_token_file);
    return sdk::Reply::Ok(plan);
  }
  if (got.NotFound()) {
    return sdk::Reply::Failed(func + ": refused: no proxy named '" + spec.proxy + "' at " + api);
  }
  if (!got.Ok() || !got.body.is_object()) {
    return sdk::Reply::Failed(func + ": unexpected answer to GET " + ProxyPath(spec.proxy) + ": " +
                              got.Describe());
  }
  if (func == "disable_proxy") {
    const json enabled_value = got.body.value("enabled", json(true));
    if (!enabled_value.is_boolean()) {
      return sdk::Reply::Failed(func + ": unexpected answer to GET " + ProxyPath(spec.proxy) +
                                ": \"enabled\" is not a boolean");
    }
    bool enabled = enabled_value.get<bool>();
    plan["was_enabled"] = enabled;
    plan["undo"] = WithTokenFile(json{{"api", api}, {"proxy", spec.proxy}, {"enabled", enabled}},
                                 spec.api_token_file);
    return sdk::Reply::Ok(plan);
  }
  if (HasToxic(got.body, spec.toxic.name)) {
    return sdk::Reply::Failed(func + ": refused: proxy '" + spec.proxy +
                              "' already has a toxic named '" + spec.toxic.name +
                              "' (its undo would remove someone else's toxic); give another " +
                              (func == "add_toxic" ? "toxic.name" : "toxic_name"));
  }
  plan["body"] = spec.toxic.Body();
  plan["undo"] = WithTokenFile(json{{"api", api},
                                    {"proxy", spec.proxy},
                                    {"toxic", spec.toxic.name},
                                    {"type", spec.toxic.type},
                                    {"stream", spec.toxic.stream},
                                    {"attributes", spec.toxic.attributes}},
                               spec.api_token_file);
  return sdk::Reply::Ok(plan);
}

// The api, proxy (and for add_toxic the body) of a plan or an undo.
std::string ReadCommon(const json& j, Url* api, std::string* proxy) {
  if (!j.is_object()) return "must be a JSON object";
  std::string e = ParseApiArg(j, api);
  if (!e.empty()) return e;
  std::string error;
  auto p = StringArg(j, "proxy", &error);
  if (!p || !IsSafeName(*p, kMaxProxyName)) return "no valid proxy name";
  *proxy = *p;
  return {};
}

sdk::Reply ApplyAction(const std::string& func, const json& plan, const Env& host_env) {
  Url api;
  std::string proxy;
  if (std::string e = ReadCommon(plan, &api, &proxy); !e.empty()) {
    return sdk::Reply::Invalid(func + ": invalid plan: " + e);
  }
  Env env = host_env;
  if (std::string e = LoadApiToken(plan, &env); !e.empty()) {
    return sdk::Reply::Failed(func + ": " + e);
  }
  ApiReply r;
  if (func == "disable_proxy") {
    r = CallApi(api, "POST", ProxyPath(proxy), json{{"enabled", false}}, env);
  } else {
    if (!plan.contains("body") || !plan["body"].is_object()) {
      return sdk::Reply::Invalid(func + ": invalid plan: no body");
    }
    const std::string path = IsToxicAction(func) ? ProxyPath(proxy) + "/toxics" : "/proxies";
    r = CallApi(api, "POST", path, plan["body"], env);
  }
  if (!r.Ok()) return sdk::Reply::Failed(func + ": " + r.Describe());
  return sdk::Reply::Ok(r.body);
}

sdk::Reply UndoAction(const std::string& func, const json& undo, const Env& host_env) {
  Url api;
  std::string proxy;
  if (std::string e = ReadCommon(undo, &api, &proxy); !e.empty()) {
    return sdk::Reply::Invalid(func + ": invalid undo: " + e);
  }
  Env env = host_env;  // a token file that cannot be read now: the undo fails and is retried
  if (std::string e = LoadApiToken(undo, &env); !e.empty()) {
    return sdk::Reply::Failed(func + ": undo: " + e);
  }
  if (func == "disable_proxy") {
    if (!undo.contains("enabled") || !undo["enabled"].is_boolean()) {
      return sdk::Reply::Invalid("disable_proxy: invalid undo: no enabled");
    }
    bool enabled = undo["enabled"].get<bool>();
    ApiReply r = CallApi(api, "POST", ProxyPath(proxy), json{{"enabled", enabled}}, env);
    if (r.NotFound()) return sdk::Reply::Ok(json{{"restored", false}, {"reason", "proxy gone"}});
    if (!r.Ok()) return sdk::Reply::Failed("disable_proxy: undo: " + r.Describe());
    return sdk::Reply::Ok(json{{"restored", true}, {"enabled", enabled}});
  }
  std::string path = ProxyPath(proxy);
  json expected;
  if (IsToxicAction(func)) {
    std::string error;
    auto toxic = StringArg(undo, "toxic", &error);
    if (!toxic || !IsSafeName(*toxic, kMaxProxyName)) {
      return sdk::Reply::Invalid(func + ": invalid undo: no valid toxic name");
    }
    path += "/toxics/" + *toxic;
    // Copied as JSON values (no conversion that could throw on a damaged ledger entry).
    expected =
        json{{"type", undo.value("type", json(""))}, {"stream", undo.value("stream", json(""))}};
  } else {
    expected = json{{"upstream", undo.value("upstream", json(""))}};
  }
  // Look first: remove only what this fault made.
  ApiReply got = CallApi(api, "GET", path, nullptr, env);
  if (got.NotFound()) return sdk::Reply::Ok(json{{"removed", false}, {"reason", "already gone"}});
  if (!got.Ok()) return sdk::Reply::Failed(func + ": undo: GET " + path + ": " + got.Describe());
  bool ours =
      Covers(got.body, expected) &&
      (!IsToxicAction(func) || !undo.contains("attributes") ||
       Covers(got.body.is_object() ? got.body.value("attributes", json::object()) : json::object(),
              undo["attributes"]));
  if (!ours) {
    return sdk::Reply::Ok(json{{"removed", false},
                               {"reason",
                                "a different one of the same name is there now; left "
                                "in place"},
                               {"found", got.body}});
  }
  ApiReply del = CallApi(api, "DELETE", path, nullptr, env);
  if (del.NotFound()) return sdk::Reply::Ok(json{{"removed", false}, {"reason", "already gone"}});
  if (!del.Ok()) return sdk::Reply::Failed(func + ": undo: DELETE " + path + ": " + del.Describe());
  return sdk::Reply::Ok(json{{"removed", true}});
}

}  // namespace

sdk::Reply PrepareProxy(const std::string& func, const json& args, const Env& env) {
  return PrepareAction(func, args, env);
}

sdk::Reply ApplyProxy(const std::string& func, const json& plan, const Env& env) {
  return ApplyAction(func, plan, env);
}

sdk::Reply UndoProxy(const std::string& func, const json& undo, const Env& env) {
  return UndoAction(func, undo, env);
}

}  // namespace chaosrun::drivers::network
