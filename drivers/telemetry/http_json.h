// One GET of a JSON document from Prometheus or Alertmanager through the network driver's HTTP
// client (network/http_client.h; the one client of the drivers). Never throws.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "network/url.h"
#include "telemetry/env.h"

namespace chaosrun::drivers::telemetry {

struct JsonReply {
  bool reached = false;  // false: no HTTP answer (`error` says why: refused, timeout, cancelled)
  bool cancelled = false;
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::string error;    // for a person: transport error, or "HTTP 400: <text>"
};

JsonReply GetJson(const network::Url& url, const std::string& path_and_query, const Env& env);

// Percent-encodes everything but RFC 3986's unreserved characters (for a query parameter).
std::string EncodeQueryValue(const std::string& s);

}  // namespace chaosrun::drivers::telemetry
