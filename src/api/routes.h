// Internal to the router: the handlers of the /v1 routes and the helpers they share (the body
// rules, Status -> HTTP). router.cc matches the path and the method, then calls one of these.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include "api/names.h"
#include "api/router.h"
#include "common/status.h"

namespace chaosrun::api::internal {

// What the matched route gives a handler: the request, its parsed target and the route's
// parameter (a validated name, or "").
struct Call {
  daemon::Control& control;
  const ApiRequest& request;
  const Target& target;
  const std::string& param;
};

ApiResponse JsonReply(int status, const Json& body);
// kNotFound 404, kInvalidArgument/kParseError 400, kFailedPrecondition/kAlreadyExists 409,
// kUnavailable 503, kTimeout 504, anything else 500; the Status's message is the reason.
ApiResponse FromStatus(const Status& status);

enum class BodyRule {
  kNone,      // no body (an empty one is fine)
  kOptional,  // none, or a JSON object of the allowed fields
  kRequired,  // a JSON object of the allowed fields
};

// The body as a JSON object ({} when absent and allowed), or the 400/415 that refuses it: a body
// where none is allowed, a missing one, a wrong Content-Type, malformed JSON (the parser's
// reason), not an object, a field not in `allowed` (named by its JSON pointer).
std::optional<Json> ReadBody(const ApiRequest& request, BodyRule rule,
                             std::initializer_list<const char*> allowed, ApiResponse& refusal);

ApiResponse ListExperiments(Call& call);
ApiResponse ListSchedules(Call& call);
ApiResponse PatchSchedule(Call& call);
ApiResponse ListRuns(Call& call);
ApiResponse GetRun(Call& call);
ApiResponse StartRun(Call& call);
ApiResponse AbortRun(Call& call);
ApiResponse GetHalt(Call& call);
ApiResponse SetHalt(Call& call);
ApiResponse ClearHalt(Call& call);
ApiResponse Health(Call& call);
ApiResponse Metrics(Call& call);

}  // namespace chaosrun::api::internal
