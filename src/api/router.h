// The daemon's API as a pure function: one request in, one response out, every effect through
// daemon::Control. The Server (server.h) converts cpp-httplib's request to an ApiRequest and the
// ApiResponse back; every route, every refusal and the auth check live here, so the routing is
// the same whether a test calls it directly or over a socket. docs/daemon.md ("API") lists the
// routes, shapes and status codes.
//
// Thread-safety: Handle() keeps no state; it may run on any number of threads at once (Control's
// methods may).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "daemon/control.h"

namespace chaosrun::api {

struct ApiRequest {
  std::string method;  // as sent ("GET", ...)
  std::string target;  // origin-form as sent: path and query, still %-encoded
  std::string body;
  bool has_content_type = false;
  std::string content_type;
  bool has_authorization = false;
  bool authorization_repeated = false;  // more than one Authorization header: refused
  std::string authorization;
  std::string user_agent;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Allow, WWW-Authenticate, Location
};

struct RouterOptions {
  std::string token;                // the bearer token every route but /healthz and /metrics needs
  bool proxy_allow_remote = false;  // proxy_api::RouteOptions::allow_remote
};

// Runs of GET /v1/runs per page: a larger `limit` is capped to this.
inline constexpr size_t kMaxRunsPage = 500;
// POST /v1/runs: at most this many vars; POST /v1/halt: the longest reason.
inline constexpr size_t kMaxVars = 256;
inline constexpr size_t kMaxReasonBytes = 1024;

// The whole API. Never throws (an exception from Control becomes a 500).
ApiResponse Handle(daemon::Control& control, const RouterOptions& options,
                   const ApiRequest& request);

// The checks that need no body: auth, the path, the method. A response when the request is
// refused already (the Server then never reads its body), nullopt when Handle() must see it.
std::optional<ApiResponse> Preflight(const RouterOptions& options, const ApiRequest& request);

// {"error": reason, "status": status}.
ApiResponse ErrorResponse(int status, const std::string& reason);

}  // namespace chaosrun::api
