#include "network/proxy_spec.h"

#include <cmath>

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
  return func == "add_toxic" || func == "disable_proxy" || func == "create_proxy";
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
