#include "proxy_api/message.h"

namespace chaosrun::proxy_api {

Response JsonResponse(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = DumpCompact(body);
  return r;
}

Response ErrorResponse(int status, std::string_view message) {
  Json body = Json::object();
  body["error"] = std::string(message);
  body["status"] = status;
  return JsonResponse(status, body);
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace chaosrun::proxy_api
