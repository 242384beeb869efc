#include "network/proxy_api_client.h"

#include "api/token_file.h"
#include "network/http_client.h"

namespace chaosrun::drivers::network {

std::string ApiReply::Describe() const {
  if (!error.empty()) return error;
  std::string text = raw;
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    text = body["error"].get<std::string>();
  } else if (body.is_object() && body.contains("title") && body["title"].is_string()) {
    text = body["title"].get<std::string>();
  }
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  std::string out = "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
  if (status == 401) {
    out +=
        " (the proxy API wants a bearer token, e.g. chaosrund's /toxiproxy/: give "
        "api_token_file, the daemon's token file, or check the token in it)";
  }
  return out;
}

std::string LoadApiToken(const nlohmann::json& j, Env* env) {
  if (!j.is_object() || !j.contains("api_token_file")) return {};
  const nlohmann::json& v = j["api_token_file"];
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    return "api_token_file must be a non-empty string (a file path)";
  }
  api::TokenFileRead r =
      api::ReadTokenFile(v.get<std::string>(), "the user the experiment runs as");
  if (r.error != api::TokenFileRead::Error::kNone) return "api_token_file: " + r.message;
  env->api_token = std::move(r.token);
  return {};
}

ApiReply CallApi(const Url& api, const std::string& method, const std::string& path,
                 const nlohmann::json& body, const Env& env) {
  HttpOptions options;
  options.timeout = env.http_timeout;
  options.cancelled = env.cancelled;
  options.bearer_token = env.api_token;
  HttpResponse r = HttpRequest(api, method, path, body.is_null() ? "" : body.dump(), options);
  ApiReply reply;
  if (!r.ok) {
    reply.error = method + " " + api.ToString() + path + ": " + r.error;
    return reply;
  }
  reply.status = r.status;
  reply.raw = r.body;
  reply.body = nlohmann::json::parse(r.body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

std::string ProxyTarget(const Url& api, const std::string& proxy) {
  return "proxy:" + api.HostPort() + "/" + proxy;
}

}  // namespace chaosrun::drivers::network
