// libFuzzer target: chaosrund's HTTP API as the pure function it is (api::Handle, src/api/
// router.h): auth, the request target (ParseTarget: segments, query, traversal), names, bodies,
// every /v1 route and the /toxiproxy/ pass-through, against the API tests' RecordingControl
// (tests/unit/api/recording_control.h: fixed answers, a real proxy::Engine; a stand-in because
// the real daemon would start runs) and no socket. Also the helpers on their own: ParseTarget,
// NameProblem, CheckBearer.
//
// Input: byte 0 = method (bits 0-2), Authorization (bits 3-4: the right token, none, the second
// line's text, two headers), Content-Type (bits 5-6: application/json, none, the third line's
// text, text/plain); then lines: target, Authorization value, Content-Type value; the rest is
// the body. Every response has a valid status and, when JSON, a parseable body; a request
// Preflight refuses gets the same status from Handle; ParseTarget never lets '.', '..', '/',
// '\\' or NUL through as a segment. Safety as fuzz_proxy_api: every "listen" of a JSON body is
// forced to 127.0.0.1:0, and every proxy the input made is deleted afterwards.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/names.h"
#include "api/router.h"
#include "proxy/engine.h"
#include "recording_control.h"

using chaosrun::Json;
namespace api = chaosrun::api;

namespace {

constexpr const char* kFuzzToken = "fuzz-token-0123456789abcdef";

void ForceLoopbackListen(Json& j) {
  if (j.is_array()) {
    for (auto& e : j) ForceLoopbackListen(e);
  } else if (j.is_object() && j.contains("listen")) {
    j["listen"] = "127.0.0.1:0";
  }
}

std::string_view NextLine(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

void CheckTarget(std::string_view target) {
  auto t = api::ParseTarget(target);
  if (!t) return;
  for (const std::string& s : t->segments) {
    if (s.empty() || s == "." || s == ".." ||
        s.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
      std::abort();
    }
    if (api::NameProblem(s).empty() && (s.size() > api::kMaxNameBytes || s[0] == '.')) {
      std::abort();
    }
  }
}

void CheckResponse(const api::ApiResponse& r) {
  if (r.status < 100 || r.status > 599) std::abort();
  if (r.content_type == "application/json" &&
      Json::parse(r.body, nullptr, /*allow_exceptions=*/false).is_discarded()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static auto* control = new chaosrun::apitest::RecordingControl();
  static const char* const kMethods[] = {"GET", "POST", "DELETE",  "PATCH",
                                         "PUT", "HEAD", "OPTIONS", "get"};
  const uint8_t mode = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  api::ApiRequest req;
  req.method = kMethods[mode & 7];
  req.target = std::string(NextLine(rest));
  const std::string_view auth_line = NextLine(rest);
  const std::string_view type_line = NextLine(rest);
  req.body = std::string(rest);
  switch ((mode >> 3) & 3) {
    case 0:
      req.has_authorization = true;
      req.authorization = std::string("Bearer ") + kFuzzToken;
      break;
    case 1:
      break;
    case 2:
      req.has_authorization = true;
      req.authorization = std::string(auth_line);
      break;
    default:
      req.has_authorization = true;
      req.authorization_repeated = true;
      req.authorization = std::string("Bearer ") + kFuzzToken;
      break;
  }
  switch ((mode >> 5) & 3) {
    case 0:
      req.has_content_type = true;
      req.content_type = "application/json";
      break;
    case 1:
      break;
    case 2:
      req.has_content_type = true;
      req.content_type = std::string(type_line);
      break;
    default:
      req.has_content_type = true;
      req.content_type = "text/plain";
      break;
  }
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_discarded()) {
    ForceLoopbackListen(body);
    req.body = body.dump();
  }

  CheckTarget(req.target);
  (void)api::NameProblem(auth_line);
  (void)api::CheckBearer(true, auth_line, kFuzzToken);
  (void)api::ConstantTimeEquals(auth_line, type_line);

  api::RouterOptions options;
  options.token = kFuzzToken;
  const auto pre = api::Preflight(options, req);
  if (pre) CheckResponse(*pre);
  const api::ApiResponse res = api::Handle(*control, options, req);
  CheckResponse(res);
  if (pre && pre->status != res.status) std::abort();

  // Back to an engine without proxies and a control without recorded calls.
  chaosrun::proxy::Engine& engine = control->ProxyEngine();
  const Json proxies = engine.ListProxies();
  for (auto it = proxies.begin(); it != proxies.end(); ++it) (void)engine.DeleteProxy(it.key());
  engine.Reset();
  if (control->Halted()) (void)control->SetHalt(false, "");
  control->ClearCalls();
  return 0;
}
