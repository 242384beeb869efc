// The helpers the route handlers share: replies, Status -> HTTP, the body rules.
#include <string_view>

#include "api/routes.h"
#include "proxy_api/route_util.h"

namespace chaosrun::api {

ApiResponse ErrorResponse(int status, const std::string& reason) {
  return internal::JsonReply(status, Json{{"error", reason}, {"status", status}});
}

namespace internal {

namespace {

// The media type of a Content-Type value, lower-cased, without parameters or spaces.
std::string MediaType(std::string_view value) {
  if (auto semi = value.find(';'); semi != std::string_view::npos) value = value.substr(0, semi);
  std::string out;
  for (char c : value) {
    if (c == ' ' || c == '\t') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::string AllowedList(std::initializer_list<const char*> allowed) {
  std::string out;
  for (const char* a : allowed) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

ApiResponse JsonReply(int status, const Json& body) {
  ApiResponse r;
  r.status = status;
  r.body = DumpCompact(body);
  r.body += '\n';
  return r;
}

ApiResponse FromStatus(const Status& status) {
  int code = 500;
  switch (status.code()) {
    case Code::kNotFound:
      code = 404;
      break;
    case Code::kInvalidArgument:
    case Code::kParseError:
      code = 400;
      break;
    case Code::kFailedPrecondition:
    case Code::kAlreadyExists:
      code = 409;
      break;
    case Code::kUnavailable:
      code = 503;
      break;
    case Code::kTimeout:
      code = 504;
      break;
    default:
      break;
  }
  return ErrorResponse(code, status.message().empty() ? "failed" : status.message());
}

std::optional<Json> ReadBody(const ApiRequest& request, BodyRule rule,
                             std::initializer_list<const char*> allowed, ApiResponse& refusal) {
  if (Blank(request.body)) {
    if (rule == BodyRule::kRequired) {
      refusal =
          ErrorResponse(400, "missing request body: a JSON object with " + AllowedList(allowed));
      return std::nullopt;
    }
    return Json::object();
  }
  if (rule == BodyRule::kNone) {
    refusal = ErrorResponse(400, "this route takes no request body");
    return std::nullopt;
  }
  if (!request.has_content_type || MediaType(request.content_type) != "application/json") {
    refusal = ErrorResponse(415, "Content-Type must be application/json, not " +
                                     (request.has_content_type ? "'" + request.content_type + "'"
                                                               : std::string("absent")));
    return std::nullopt;
  }
  std::string error;
  auto body = proxy_api::ParseBody(request.body, error);
  if (!body) {
    constexpr std::string_view kPrefix = "bad request body: ";  // proxy_api's wording
    if (error.rfind(kPrefix, 0) == 0) error.erase(0, kPrefix.size());
    refusal = ErrorResponse(400, "malformed JSON body: " + error);
    return std::nullopt;
  }
  if (!body->is_object()) {
    refusal = ErrorResponse(400, "the request body must be a JSON object");
    return std::nullopt;
  }
  for (const auto& [key, value] : body->items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      refusal = ErrorResponse(
          400, PointerAppend("", key) + ": unknown field (allowed: " + AllowedList(allowed) + ")");
      return std::nullopt;
    }
  }
  return body;
}

}  // namespace internal

}  // namespace chaosrun::api
