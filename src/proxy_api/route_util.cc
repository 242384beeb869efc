#include "proxy_api/route_util.h"

#include <arpa/inet.h>

#include "common/encoding.h"
#include "common/json.h"

namespace chaosrun::proxy_api {

namespace {

std::string BadBody(std::string_view reason) { return "bad request body: " + std::string(reason); }

}  // namespace

std::optional<std::vector<std::string>> SplitPath(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  if (auto q = target.find_first_of("?#"); q != std::string_view::npos) {
    target = target.substr(0, q);
  }
  std::vector<std::string> segments;
  size_t start = 1;
  for (;;) {
    size_t slash = target.find('/', start);
    std::string_view raw = target.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    auto decoded = PercentDecode(raw);
    if (!decoded) return std::nullopt;
    segments.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

std::optional<Json> ParseBody(std::string_view body, std::string& error) {
  bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) {
    error = BadBody("EOF");
    return std::nullopt;
  }
  if (FindNestingDeeperThan(body, kMaxBodyDepth) != std::string_view::npos) {
    error = BadBody("nested deeper than " + std::to_string(kMaxBodyDepth) + " levels");
    return std::nullopt;
  }
  try {
    return Json::parse(body);
  } catch (const Json::exception& e) {  // parse_error, or out_of_range for a huge number
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at line 1, ..."
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    error = BadBody(what);
    return std::nullopt;
  }
}

bool GetString(const Json& obj, const char* key, std::optional<std::string>& out,
               std::string& error, std::string_view where) {
  const Json* v = Member(obj, key);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_string()) {
    error = BadBody(std::string(where) + key + " must be a string");
    return false;
  }
  out = v->get<std::string>();
  return true;
}

bool GetBool(const Json& obj, const char* key, std::optional<bool>& out, std::string& error,
             std::string_view where) {
  const Json* v = Member(obj, key);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_boolean()) {
    error = BadBody(std::string(where) + key + " must be a boolean");
    return false;
  }
  out = v->get<bool>();
  return true;
}

bool GetNumber(const Json& obj, const char* key, std::optional<double>& out, std::string& error,
               std::string_view where) {
  const Json* v = Member(obj, key);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_number()) {
    error = BadBody(std::string(where) + key + " must be a number");
    return false;
  }
  out = v->get<double>();
  return true;
}

bool ReadProxyExtensions(const Json& obj, proxy::ProxySpec& spec, std::string& error,
                         std::string_view where) {
  Json ext{{"name", "-"}, {"upstream", "-"}};
  for (const char* key : {"protocol", "idle_timeout"}) {
    if (const Json* v = Member(obj, key)) ext[key] = *v;
  }
  auto parsed = proxy::ProxyFromJson(ext);
  if (!parsed) {
    error = BadBody(std::string(where) + parsed.error().message());
    return false;
  }
  spec.protocol = parsed->protocol;
  spec.idle_timeout = parsed->idle_timeout;
  return true;
}

Json ToxicsInToxiproxyOrder(const Json& toxics) {
  if (!toxics.is_array()) return Json::array();
  Json ordered = Json::array();
  for (const char* stream : {"upstream", "downstream"}) {
    for (const Json& t : toxics) {
      const bool downstream = !t.is_object() || t.value("stream", std::string()) != "upstream";
      if (downstream == (std::string_view(stream) == "downstream")) ordered.push_back(t);
    }
  }
  return ordered;
}

Json ShownProxy(Json proxy) {
  if (!proxy.is_object()) return proxy;
  const Json* toxics = Member(proxy, "toxics");
  proxy["toxics"] = toxics != nullptr ? ToxicsInToxiproxyOrder(*toxics) : Json::array();
  return proxy;
}

Response FromStatus(const Status& status, std::string_view not_found, std::string_view exists) {
  switch (status.code()) {
    case Code::kNotFound:
      return ErrorResponse(404, not_found);
    case Code::kAlreadyExists:
      return ErrorResponse(409, exists);
    case Code::kInvalidArgument:
    case Code::kParseError:
      return ErrorResponse(400, status.message());
    default:
      return ErrorResponse(500, status.message());
  }
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

std::string RemoteListenReason(const std::string& listen) {
  std::string host;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find(']');
    host = close == std::string::npos ? listen : listen.substr(1, close - 1);
  } else {
    size_t colon = listen.rfind(':');
    host = colon == std::string::npos ? listen : listen.substr(0, colon);
  }
  if (IsLoopbackHost(host)) return {};
  return "listen " + listen + " is not a loopback address" +
         (host.empty() || host == "0.0.0.0" || host == "::" ? " (every interface)" : "") +
         ": the proxy API creates loopback proxies only, unless `chaosrun proxy serve "
         "--allow-remote`";
}

}  // namespace chaosrun::proxy_api
