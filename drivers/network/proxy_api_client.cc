#include "network/proxy_api_client.h"

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
  return "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
}

ApiReply CallApi(const Url& api, const std::string& method, const std::string& path,
                 const nlohmann::json& body, const Env& env) {
  HttpOptions options;
  options.timeout = env.http_timeout;
  options.cancelled = env.cancelled;
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
