// Calls of a Toxiproxy-compatible HTTP API (chaosrun's `proxy serve` or a real Toxiproxy):
// JSON in, JSON out, transport failures kept apart from HTTP statuses.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "network/env.h"
#include "network/url.h"

namespace chaosrun::drivers::network {

struct ApiReply {
  std::string error;  // non-empty: no HTTP answer (refused, timeout, ...)
  int status = 0;
  nlohmann::json body;  // the parsed body; null when empty or not JSON
  std::string raw;

  bool Ok() const { return error.empty() && status >= 200 && status < 300; }
  bool NotFound() const { return error.empty() && status == 404; }
  // "cannot connect to ..." or "HTTP 409: <the server's error text>".
  std::string Describe() const;
};

// METHOD api.base + path, with `body` as JSON when not null.
ApiReply CallApi(const Url& api, const std::string& method, const std::string& path,
                 const nlohmann::json& body, const Env& env);

// The optional `api_token_file` member of `j` (an action's arguments, its plan or its undo): a
// private file holding the proxy API's bearer token (chaosrund's token_file: the same check as
// the daemon's, src/api/token_file.h). When present, sets env->api_token from it; returns an
// error message naming api_token_file otherwise (empty on success or when absent).
std::string LoadApiToken(const nlohmann::json& j, Env* env);

// "proxy:<api host:port>/<name>": the blast-radius target of a proxy.
std::string ProxyTarget(const Url& api, const std::string& proxy);

}  // namespace chaosrun::drivers::network
