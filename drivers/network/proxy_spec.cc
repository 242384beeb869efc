#include "network/proxy_spec.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "network/args.h"

namespace chaosrun::drivers::network {

namespace {

using nlohmann::json;

std::string ParseToxic(const json& t, ToxicSpec* out) {
  if (!t.is_object()) return "toxic must be an object {\"type\", \"name\", \"stream\", ...}";
  if (std::string e = UnknownKey(t, {"name", "type", "stream", "toxicity", "attributes"});
      !e.empty()) {
    return "toxic: " + e;
  }
  std::string error;
  auto type = StringArg(t, "type", &error);
  if (!type) return error.empty() ? "toxic.type is required (e.g. \"latency\")" : "toxic." + error;
  if (!IsSafeName(*type, 64)) return "toxic.type must be a word such as \"latency\"";
  ToxicSpec spec;
  spec.type = *type;
  spec.stream = "downstream";
  if (auto s = StringArg(t, "stream", &error)) {
    if (*s != "upstream" && *s != "downstream") {
      return "toxic.stream must be \"upstream\" or \"downstream\"";
    }
    spec.stream = *s;
  } else if (!error.empty()) {
    return "toxic." + error;
  }
  if (auto n = StringArg(t, "name", &error)) {
    if (!IsSafeName(*n, kMaxProxyName)) {
      return "toxic.name may hold only letters, digits and _.- (at most 128)";
    }
    spec.name = *n;
  } else if (!error.empty()) {
    return "toxic." + error;
  } else {
    spec.name = spec.type + "_" + spec.stream;
  }
  if (t.contains("toxicity")) {
    auto v = NumberIn(t["toxicity"], 0.0, 1.0);
    if (!v) return "toxic.toxicity must be a number from 0 to 1";
    spec.toxicity = *v;
  }
  if (t.contains("attributes")) {
    if (!t["attributes"].is_object()) return "toxic.attributes must be an object";
    spec.attributes = t["attributes"];
  }
  *out = std::move(spec);
  return {};
}

std::string ProxyName(const json& args, const char* key, std::string* out) {
  std::string error;
  auto p = StringArg(args, key, &error);
  if (!p) return error.empty() ? std::string(key) + " is required" : error;
  if (!IsSafeName(*p, kMaxProxyName)) {
    return std::string(key) + " may hold only letters, digits and _.- (at most 128)";
  }
  *out = *p;
  return {};
}

std::string HostPortArg(const json& args, const char* key, std::string* out) {
  std::string error;
  auto v = StringArg(args, key, &error);
  if (!v) return error.empty() ? std::string(key) + " is required (\"HOST:PORT\")" : error;
  std::string host;
  int port = 0;
  if (!SplitHostPort(*v, &host, &port)) return std::string(key) + " must be \"HOST:PORT\"";
  *out = *v;
  return {};
}

// rewrite_json's operations, checked as the proxy checks them (its json_rewrite toxic), so that
// prepare refuses what apply would: errors name the member as a JSON pointer.
std::string CheckRewriteOperations(const json& ops) {
  if (!ops.is_array() || ops.empty() || ops.size() > 64) {
    return "/operations must be an array of 1 to 64 operations ({\"op\": \"drop\", \"field\": "
           "\"clicks\"}, ...)";
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const json& op = ops[i];
    const std::string at = "/operations/" + std::to_string(i);
    if (!op.is_object()) return at + " must be an object {\"op\", \"field\", ...}";
    const json* name = op.contains("op") ? &op["op"] : nullptr;
    std::string kind = name && name->is_string() ? name->get<std::string>() : "";
    std::vector<std::string> keys = {"op", "field"};
    if (kind == "rename") {
      keys.push_back("to");
    } else if (kind == "scale") {
      keys.push_back("factor");
    } else if (kind == "retype") {
      keys.push_back("type");
    } else if (kind != "drop") {
      return at + "/op must be one of drop, rename, scale, retype";
    }
    for (const auto& item : op.items()) {
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
        return at + "/" + item.key() + " is not a member of a " + kind + " operation";
      }
    }
    for (const std::string& key : keys) {
      if (key == "op") continue;
      if (!op.contains(key)) return at + "/" + key + " is required for " + kind;
      const json& v = op[key];
      if (key == "factor") {
        if (!NumberIn(v, -1e15, 1e15)) return at + "/factor must be a finite number";
      } else if (key == "type") {
        static const std::vector<std::string> types = {"string", "number", "integer", "boolean",
                                                       "null"};
        if (!v.is_string() ||
            std::find(types.begin(), types.end(), v.get<std::string>()) == types.end()) {
          return at + "/type must be one of string, number, integer, boolean, null";
        }
      } else if (!v.is_string() || v.get<std::string>().empty() ||
                 v.get<std::string>().size() > 1024) {
        return at + "/" + key + " must be a non-empty string (a key, or a JSON pointer \"/a/b\")";
      }
    }
  }
  return {};
}

std::string ParseRewriteJson(const json& args, ProxyActionSpec* spec) {
  if (std::string e = UnknownKey(args, {"api", "api_token_file", "proxy", "operations", "records",
                                        "max_body_bytes", "stream", "toxic_name", "toxicity"});
      !e.empty()) {
    return e;
  }
  if (std::string e = ProxyName(args, "proxy", &spec->proxy); !e.empty()) return e;
  if (!args.contains("operations")) {
    return "operations is required ([{\"op\": \"rename\", \"field\": \"age\", \"to\": "
           "\"age_years\"}, ...])";
  }
  if (std::string e = CheckRewriteOperations(args["operations"]); !e.empty()) return e;
  ToxicSpec& t = spec->toxic;
  t.type = "json_rewrite";
  t.stream = "downstream";
  std::string error;
  if (auto s = StringArg(args, "stream", &error)) {
    if (*s != "upstream" && *s != "downstream") {
      return "stream must be \"upstream\" (requests) or \"downstream\" (responses)";
    }
    t.stream = *s;
  } else if (!error.empty()) {
    return error;
  }
  if (auto n = StringArg(args, "toxic_name", &error)) {
    if (!IsSafeName(*n, kMaxProxyName)) {
      return "toxic_name may hold only letters, digits and _.- (at most 128)";
    }
    t.name = *n;
  } else if (!error.empty()) {
    return error;
  } else {
    t.name = "json_rewrite_" + t.stream;
  }
  if (args.contains("toxicity")) {
    auto v = NumberIn(args["toxicity"], 0.0, 1.0);
    if (!v) return "toxicity must be a number from 0 to 1";
    t.toxicity = *v;
  }
  t.attributes = json{{"operations", args["operations"]}};
  if (args.contains("records")) {
    const json& r = args["records"];
    if (!r.is_string() || (!r.get<std::string>().empty() && r.get<std::string>()[0] != '/')) {
      return "records must be a JSON pointer (\"\" for the body itself, or \"/data/items\")";
    }
    t.attributes["records"] = r;
  }
  if (args.contains("max_body_bytes")) {
    auto m = NumberIn(args["max_body_bytes"], 1, 67108864.0);
    if (!m || *m != std::floor(*m)) return "max_body_bytes must be an integer from 1 to 67108864";
    t.attributes["max_body_bytes"] = static_cast<int64_t>(*m);
  }
  return {};
}

}  // namespace

json ToxicSpec::Body() const {
  json b{{"name", name},
         {"type", type},
         {"stream", stream},
         {"toxicity", toxicity},
         {"attributes", attributes}};
  if (duration_s) b["duration"] = static_cast<int64_t>(std::llround(*duration_s * 1000.0));
  return b;
}

json ProxyActionSpec::ProxyBody() const {
  return json{{"name", proxy}, {"listen", listen}, {"upstream", upstream}, {"enabled", enabled}};
}

bool IsProxyAction(const std::string& func) {
  return func == "add_toxic" || func == "disable_proxy" || func == "create_proxy" ||
         func == "rewrite_json";
}

std::string ParseApiArg(const json& args, Url* out) {
  std::string error;
  auto text = StringArg(args, "api", &error);
  if (!error.empty()) return error;
  auto url = ParseUrl(text ? *text : kDefaultApi, &error);
  if (!url) return "api: " + error;
  if (url->port == 0) return "api: the port must not be 0";
  *out = *url;
  return {};
}

std::string ParseProxyAction(const std::string& func, const json& args, ProxyActionSpec* out) {
  ProxyActionSpec spec;
  spec.func = func;
  if (func == "add_toxic") {
    if (std::string e = UnknownKey(args, {"api", "api_token_file", "proxy", "toxic", "duration"});
        !e.empty()) {
      return e;
    }
    if (std::string e = ProxyName(args, "proxy", &spec.proxy); !e.empty()) return e;
    if (!args.contains("toxic")) return "toxic is required ({\"type\": \"latency\", ...})";
    if (std::string e = ParseToxic(args["toxic"], &spec.toxic); !e.empty()) return e;
    if (args.contains("duration")) {
      auto d = NumberIn(args["duration"], 0.001, 31536000.0);
      if (!d) return "duration must be a number of seconds from 0.001 to 31536000";
      spec.toxic.duration_s = *d;
    }
  } else if (func == "rewrite_json") {
    if (std::string e = ParseRewriteJson(args, &spec); !e.empty()) return e;
  } else if (func == "disable_proxy") {
    if (std::string e = UnknownKey(args, {"api", "api_token_file", "proxy"}); !e.empty()) return e;
    if (std::string e = ProxyName(args, "proxy", &spec.proxy); !e.empty()) return e;
  } else if (func == "create_proxy") {
    if (std::string e =
            UnknownKey(args, {"api", "api_token_file", "name", "listen", "upstream", "enabled"});
        !e.empty()) {
      return e;
    }
    if (std::string e = ProxyName(args, "name", &spec.proxy); !e.empty()) return e;
    if (std::string e = HostPortArg(args, "listen", &spec.listen); !e.empty()) return e;
    if (std::string e = HostPortArg(args, "upstream", &spec.upstream); !e.empty()) return e;
    if (args.contains("enabled")) {
      if (!args["enabled"].is_boolean()) return "enabled must be true or false";
      spec.enabled = args["enabled"].get<bool>();
    }
  } else {
    return "no proxy action named '" + func + "'";
  }
  if (std::string e = ParseApiArg(args, &spec.api); !e.empty()) return e;
  if (args.contains("api_token_file")) {
    const json& t = args["api_token_file"];
    if (!t.is_string() || t.get_ref<const std::string&>().empty()) {
      return "api_token_file must be a non-empty string (a file path)";
    }
    spec.api_token_file = t.get<std::string>();
  }
  *out = std::move(spec);
  return {};
}

}  // namespace chaosrun::drivers::network
