// The plain request and response the router works on: no sockets, no Beast, so every route can
// be tested by calling Route() directly. The HTTP server (api_server.h) converts to and from
// these.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

namespace chaosrun::proxy_api {

struct Request {
  std::string method;  // "GET", "POST", ... as sent (methods are case-sensitive in HTTP)
  std::string target;  // origin-form as sent: "/proxies/redis%20a/toxics?x=1"
  std::string body;
  std::string user_agent;  // "" when the header is absent
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // "" for 204
  std::string body;
  std::string allow;  // the Allow header of a 405 ("GET, POST")
};

// A JSON body with the given status.
Response JsonResponse(int status, const Json& body);
// Toxiproxy's error shape: {"error": "<message>", "status": <status>}.
Response ErrorResponse(int status, std::string_view message);
// 204 No Content, no body.
Response NoContent();

}  // namespace chaosrun::proxy_api
