#include "api/router.h"

#include <exception>
#include <string_view>

#include "api/auth.h"
#include "api/routes.h"
#include "proxy_api/router.h"

namespace chaosrun::api {

namespace {

using internal::Call;

enum class RouteId {
  kExperiments,
  kSchedules,
  kSchedule,
  kRuns,
  kRun,
  kRunAbort,
  kHalt,
  kHealth,
  kMetrics,
};

struct Method {
  const char* name;
  ApiResponse (*handler)(Call&);
  bool takes_body;
};

struct RouteDef {
  RouteId id;
  const char* allow;  // the Allow header of a 405
  std::vector<Method> methods;
};

const std::vector<RouteDef>& Routes() {
  static const std::vector<RouteDef> kRoutes = {
      {RouteId::kExperiments, "GET", {{"GET", internal::ListExperiments, false}}},
      {RouteId::kSchedules, "GET", {{"GET", internal::ListSchedules, false}}},
      {RouteId::kSchedule, "PATCH", {{"PATCH", internal::PatchSchedule, true}}},
      {RouteId::kRuns,
       "GET, POST",
       {{"GET", internal::ListRuns, false}, {"POST", internal::StartRun, true}}},
      {RouteId::kRun, "GET", {{"GET", internal::GetRun, false}}},
      {RouteId::kRunAbort, "POST", {{"POST", internal::AbortRun, true}}},
      {RouteId::kHalt,
       "GET, POST, DELETE",
       {{"GET", internal::GetHalt, false},
        {"POST", internal::SetHalt, true},
        {"DELETE", internal::ClearHalt, false}}},
      {RouteId::kHealth, "GET", {{"GET", internal::Health, false}}},
      {RouteId::kMetrics, "GET", {{"GET", internal::Metrics, false}}},
  };
  return kRoutes;
}

// The route a path names, its parameter and what the parameter is called in messages.
struct Match {
  const RouteDef* route = nullptr;
  std::string param;
  const char* param_kind = nullptr;  // "schedule name", "run id"; null: no parameter
};

const RouteDef* Find(RouteId id) {
  for (const auto& r : Routes()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Match MatchPath(const std::vector<std::string>& s) {
  Match m;
  if (s.size() == 1 && s[0] == "healthz") m.route = Find(RouteId::kHealth);
  if (s.size() == 1 && s[0] == "metrics") m.route = Find(RouteId::kMetrics);
  if (s.size() < 2 || s[0] != "v1") return m;
  const std::string& what = s[1];
  if (s.size() == 2) {
    if (what == "experiments") m.route = Find(RouteId::kExperiments);
    if (what == "schedules") m.route = Find(RouteId::kSchedules);
    if (what == "runs") m.route = Find(RouteId::kRuns);
    if (what == "halt") m.route = Find(RouteId::kHalt);
  } else if (s.size() == 3 && what == "schedules") {
    m = {Find(RouteId::kSchedule), s[2], "schedule name"};
  } else if (s.size() == 3 && what == "runs") {
    m = {Find(RouteId::kRun), s[2], "run id"};
  } else if (s.size() == 4 && what == "runs" && s[3] == "abort") {
    m = {Find(RouteId::kRunAbort), s[2], "run id"};
  }
  return m;
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// "/toxiproxy", "/toxiproxy/..." or "/toxiproxy?...": the fault proxy's API.
bool IsToxiproxy(std::string_view target) {
  constexpr std::string_view kPrefix = "/toxiproxy";
  if (target.substr(0, kPrefix.size()) != kPrefix) return false;
  return target.size() == kPrefix.size() || target[kPrefix.size()] == '/' ||
         target[kPrefix.size()] == '?';
}

bool AuthExempt(std::string_view target) {
  std::string_view path = PathOf(target);
  return path == "/healthz" || path == "/metrics";
}

std::optional<ApiResponse> CheckAuth(const RouterOptions& options, const ApiRequest& request) {
  AuthResult result =
      request.authorization_repeated
          ? AuthResult::kMalformed
          : CheckBearer(request.has_authorization, request.authorization, options.token);
  if (result == AuthResult::kOk) return std::nullopt;
  const char* reason = result == AuthResult::kMissing ? "missing bearer token (Authorization: "
                                                        "Bearer <token>)"
                       : result == AuthResult::kMalformed
                           ? "malformed Authorization header (expected: Bearer <token>)"
                           : "invalid bearer token";
  ApiResponse r = ErrorResponse(401, reason);
  r.headers.emplace_back("WWW-Authenticate", result == AuthResult::kMissing
                                                 ? "Bearer realm=\"chaosrund\""
                                                 : "Bearer realm=\"chaosrund\", "
                                                   "error=\"invalid_token\"");
  return r;
}

// Everything but the body: auth, path, route, method, the parameter's name. Either a refusal or
// what Handle() dispatches on.
struct Resolved {
  std::optional<ApiResponse> refusal;
  bool toxiproxy = false;
  Target target;
  Match match;
  const Method* method = nullptr;
};

Resolved Resolve(const RouterOptions& options, const ApiRequest& request) {
  Resolved out;
  if (!AuthExempt(request.target)) {
    if (auto denied = CheckAuth(options, request)) {
      out.refusal = std::move(denied);
      return out;
    }
  }
  if (IsToxiproxy(request.target)) {
    out.toxiproxy = true;
    return out;
  }
  auto target = ParseTarget(request.target);
  if (!target) {
    out.refusal = ErrorResponse(400, target.error().message());
    return out;
  }
  out.target = std::move(*target);
  out.match = MatchPath(out.target.segments);
  if (out.match.route == nullptr) {
    out.refusal = ErrorResponse(404, "no such route: " + std::string(PathOf(request.target)));
    return out;
  }
  for (const auto& m : out.match.route->methods) {
    if (request.method == m.name) out.method = &m;
  }
  if (out.method == nullptr) {
    ApiResponse r = ErrorResponse(
        405, "method " + request.method + " not allowed (allowed: " + out.match.route->allow + ")");
    r.headers.emplace_back("Allow", out.match.route->allow);
    out.refusal = std::move(r);
    return out;
  }
  if (out.match.param_kind != nullptr) {
    if (std::string why = NameProblem(out.match.param); !why.empty()) {
      out.refusal = ErrorResponse(400, std::string(out.match.param_kind) + " " + why);
      return out;
    }
  }
  return out;
}

ApiResponse Toxiproxy(daemon::Control& control, const RouterOptions& options,
                      const ApiRequest& request) {
  proxy_api::Request inner;
  inner.method = request.method;
  inner.target = request.target.substr(std::string_view("/toxiproxy").size());
  if (inner.target.empty() || inner.target[0] == '?') inner.target.insert(0, "/");
  inner.body = request.body;
  inner.user_agent = request.user_agent;
  proxy_api::RouteOptions route_options;
  route_options.allow_remote = options.proxy_allow_remote;
  proxy_api::Response out = proxy_api::Route(control.ProxyEngine(), inner, route_options);
  ApiResponse r;
  r.status = out.status;
  r.content_type = out.content_type;
  r.body = std::move(out.body);
  if (!out.allow.empty()) r.headers.emplace_back("Allow", out.allow);
  return r;
}

}  // namespace

std::optional<ApiResponse> Preflight(const RouterOptions& options, const ApiRequest& request) {
  try {
    return Resolve(options, request).refusal;
  } catch (const std::exception& e) {
    return ErrorResponse(500, std::string("internal error: ") + e.what());
  }
}

ApiResponse Handle(daemon::Control& control, const RouterOptions& options,
                   const ApiRequest& request) {
  try {
    Resolved r = Resolve(options, request);
    if (r.refusal) return std::move(*r.refusal);
    if (r.toxiproxy) return Toxiproxy(control, options, request);
    if (!r.method->takes_body && request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
      return ErrorResponse(400, "this route takes no request body");
    }
    Call call{control, request, r.target, r.match.param};
    return r.method->handler(call);
  } catch (const std::exception& e) {
    return ErrorResponse(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return ErrorResponse(500, "internal error");
  }
}

}  // namespace chaosrun::api
