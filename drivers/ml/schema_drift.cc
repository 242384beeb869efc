// schema_drift: a `json_rewrite` toxic on a proxy of chaosrun's fault proxy (or any server of
// its Toxiproxy-compatible API), added with POST {proxy_api}/proxies/{proxy}/toxics and removed
// by the undo with DELETE .../toxics/{toxic_name} (404: already gone, which is what the undo
// wants). prepare checks (GET /proxies/{proxy}) that the proxy exists and has no toxic of that
// name, since the undo would otherwise remove someone else's toxic.
#include "actions.h"
#include "http.h"

namespace chaosrun_ml {

namespace {

constexpr const char* kDefaultApi = "http://127.0.0.1:8474";
constexpr const char* kDefaultToxic = "chaosrun_ml_schema_drift";

bool SafeName(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "http://host[:port][/]" -> base URL without the trailing slash and "host:port".
std::string ParseApi(const std::string& text, std::string* base, std::string* host_port) {
  if (text.rfind("http://", 0) != 0) return "proxy_api: must start with http://";
  std::string rest = text.substr(7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos) {
    return "proxy_api: must be http://HOST:PORT (no path)";
  }
  *base = "http://" + rest;
  bool has_port =
      rest[0] == '[' ? rest.find("]:") != std::string::npos : rest.find(':') != std::string::npos;
  *host_port = has_port ? rest : rest + ":80";
  return {};
}

std::string CheckOperations(const json& ops) {
  if (!ops.is_array() || ops.empty() || ops.size() > 64) {
    return "operations: must be a list of 1 to 64 operations";
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const json& o = ops[i];
    const std::string at = "/operations/" + std::to_string(i);
    if (!o.is_object()) return at + ": must be an object";
    if (!o.contains("op") || !o["op"].is_string()) return at + "/op: required";
    const std::string op = o["op"].get<std::string>();
    const char* extra = op == "rename"   ? "to"
                        : op == "scale"  ? "factor"
                        : op == "retype" ? "type"
                                         : nullptr;
    if (op != "drop" && extra == nullptr) {
      return at + "/op: must be one of \"drop\", \"rename\", \"scale\" or \"retype\"";
    }
    if (!o.contains("field") || !o["field"].is_string() || o["field"].get<std::string>().empty()) {
      return at + "/field: required (a non-empty string)";
    }
    for (const auto& item : o.items()) {
      if (item.key() != "op" && item.key() != "field" &&
          (extra == nullptr || item.key() != extra)) {
        return at + "/" + item.key() + ": not an argument of op \"" + op + "\"";
      }
    }
    if (extra == nullptr) continue;
    if (!o.contains(extra)) return at + "/" + extra + ": required for op \"" + op + "\"";
    const json& v = o[extra];
    if (op == "rename" && (!v.is_string() || v.get<std::string>().empty())) {
      return at + "/to: must be a non-empty string";
    }
    if (op == "scale" && !v.is_number()) return at + "/factor: must be a number";
    if (op == "retype") {
      static const char* const kTypes[] = {"string", "number", "integer", "boolean", "null"};
      bool ok = false;
      for (const char* t : kTypes) ok = ok || (v.is_string() && v.get<std::string>() == t);
      if (!ok) {
        return at +
               "/type: must be one of \"string\", \"number\", \"integer\", \"boolean\" or "
               "\"null\"";
      }
    }
  }
  return {};
}

struct Where {
  std::string api, host_port, proxy, toxic, token_file;
};

std::string ReadWhere(const json& j, Where* w) {
  if (!j.is_object()) return "must be a JSON object";
  std::string error;
  auto api = StringArg(j, "proxy_api", &error);
  if (!error.empty()) return error;
  if (std::string e = ParseApi(api ? *api : kDefaultApi, &w->api, &w->host_port); !e.empty()) {
    return e;
  }
  auto proxy = StringArg(j, "proxy", &error);
  if (!proxy) return error.empty() ? "proxy: required" : error;
  if (!SafeName(*proxy)) return "proxy: letters, digits and _.- only (at most 128)";
  w->proxy = *proxy;
  auto toxic = StringArg(j, "toxic_name", &error);
  if (!error.empty()) return error;
  w->toxic = toxic ? *toxic : kDefaultToxic;
  if (!SafeName(w->toxic)) return "toxic_name: letters, digits and _.- only (at most 128)";
  auto token = StringArg(j, "api_token_file", &error);
  if (!error.empty()) return error;
  if (token) w->token_file = *token;
  return {};
}

std::string Token(const Where& w, std::string* token) {
  if (w.token_file.empty()) return {};
  return ReadTokenFile(w.token_file, token);
}

json WhereJson(const Where& w) {
  json j{{"proxy_api", w.api}, {"proxy", w.proxy}, {"toxic_name", w.toxic}};
  if (!w.token_file.empty()) j["api_token_file"] = w.token_file;
  return j;
}

}  // namespace

Reply PrepareSchemaDrift(const json& args, const Env&) {
  static const char* const kAllowed[] = {"proxy_api",  "api_token_file", "proxy",
                                         "operations", "records",        "max_body_bytes",
                                         "stream",     "toxic_name",     nullptr};
  if (std::string e = UnknownKeys(args, kAllowed); !e.empty()) {
    return Reply::Invalid(ArgPointer(e));
  }
  Where w;
  if (std::string e = ReadWhere(args, &w); !e.empty()) return Reply::Invalid(ArgPointer(e));
  if (!args.contains("operations")) return Reply::Invalid("/operations: required");
  if (std::string e = CheckOperations(args["operations"]); !e.empty()) {
    return Reply::Invalid(ArgPointer(e));
  }
  json attributes{{"operations", args["operations"]}};
  if (args.contains("records")) {
    const json& r = args["records"];
    if (!r.is_string() || (!r.get<std::string>().empty() && r.get<std::string>()[0] != '/')) {
      return Reply::Invalid("/records: must be a JSON pointer (\"\" or \"/...\")");
    }
    attributes["records"] = r;
  }
  std::string error;
  if (auto m = IntArg(args, "max_body_bytes", 1, 64 * 1024 * 1024, &error)) {
    attributes["max_body_bytes"] = *m;
  }
  auto stream = error.empty() ? StringArg(args, "stream", &error) : std::nullopt;
  if (!error.empty()) return Reply::Invalid(ArgPointer(error));
  const std::string s = stream ? *stream : "downstream";
  if (s != "upstream" && s != "downstream") {
    return Reply::Invalid("/stream: must be \"upstream\" or \"downstream\"");
  }
  std::string token;
  if (std::string e = Token(w, &token); !e.empty()) {
    return Reply::Failed("schema_drift: refused: " + e);
  }
  // Read only: the proxy must exist and must not have a toxic of our name yet.
  HttpAnswer got = HttpCall("GET", w.api + "/proxies/" + w.proxy, "", token);
  if (!got.error.empty()) {
    return Reply::Failed("schema_drift: cannot reach the proxy API: " + got.Describe());
  }
  if (got.status == 404) {
    return Reply::Failed("schema_drift: refused: no proxy named '" + w.proxy + "' at " + w.api);
  }
  json proxy = json::parse(got.body, nullptr, false);
  if (!got.Ok() || !proxy.is_object()) {
    return Reply::Failed("schema_drift: unexpected answer to GET /proxies/" + w.proxy + ": " +
                         got.Describe());
  }
  if (proxy.contains("toxics") && proxy["toxics"].is_array()) {
    for (const json& t : proxy["toxics"]) {
      if (t.is_object() && t.value("name", json()) == w.toxic) {
        return Reply::Failed("schema_drift: refused: proxy '" + w.proxy +
                             "' already has a toxic named '" + w.toxic +
                             "' (its undo would remove someone else's toxic); give another "
                             "toxic_name");
      }
    }
  }
  json body{{"name", w.toxic},
            {"type", "json_rewrite"},
            {"stream", s},
            {"toxicity", 1.0},
            {"attributes", attributes}};
  json plan = WhereJson(w);
  plan["targets"] = json::array({"proxy:" + w.host_port + "/" + w.proxy});
  plan["body"] = body;
  plan["undo"] = WhereJson(w);
  return Reply::Ok(plan);
}

Reply ApplySchemaDrift(const json& plan, const Env& env) {
  Where w;
  if (std::string e = ReadWhere(plan, &w); !e.empty()) {
    return Reply::Invalid("schema_drift: invalid plan: " + e);
  }
  if (!plan.contains("body") || !plan["body"].is_object()) {
    return Reply::Invalid("schema_drift: invalid plan: no body");
  }
  std::string token;
  if (std::string e = Token(w, &token); !e.empty()) return Reply::Failed("schema_drift: " + e);
  if (env.cancelled()) return Reply::Error(CHAOSRUN_CANCELLED, "schema_drift: cancelled");
  HttpAnswer r =
      HttpCall("POST", w.api + "/proxies/" + w.proxy + "/toxics", plan["body"].dump(), token);
  if (!r.Ok()) {
    return Reply::Failed("schema_drift: POST /proxies/" + w.proxy + "/toxics: " + r.Describe());
  }
  json toxic = json::parse(r.body, nullptr, false);
  return Reply::Ok(
      json{{"proxy", w.proxy}, {"toxic", toxic.is_discarded() ? json(w.toxic) : toxic}});
}

Reply UndoSchemaDrift(const json& undo, const Env&) {
  Where w;
  if (std::string e = ReadWhere(undo, &w); !e.empty()) {
    return Reply::Invalid("schema_drift: invalid undo: " + e);
  }
  std::string token;
  if (std::string e = Token(w, &token); !e.empty()) {
    return Reply::Failed("schema_drift: undo: " + e);  // retried later by recover
  }
  const std::string path = "/proxies/" + w.proxy + "/toxics/" + w.toxic;
  HttpAnswer r = HttpCall("DELETE", w.api + path, "", token);
  if (r.error.empty() && r.status == 404) {
    return Reply::Ok(json{{"removed", false}, {"reason", "already gone"}});
  }
  if (!r.Ok()) return Reply::Failed("schema_drift: undo: DELETE " + path + ": " + r.Describe());
  return Reply::Ok(json{{"removed", true}, {"proxy", w.proxy}, {"toxic", w.toxic}});
}

}  // namespace chaosrun_ml
