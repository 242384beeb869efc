// The handlers of the /v1 routes, /healthz and /metrics (docs/daemon.md, "API"). Each one checks
// what its route takes, then makes exactly one Control call.
#include "api/routes.h"

#include <cstdlib>
#include <string_view>

namespace chaosrun::api::internal {

namespace {

// A whole decimal number in [0, max]: digits only.
bool ParseCount(const std::string& text, size_t max, size_t& out) {
  if (text.empty() || text.size() > 12 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  unsigned long long n = std::strtoull(text.c_str(), nullptr, 10);
  if (n > max) return false;
  out = static_cast<size_t>(n);
  return true;
}

// Configuration keys given as vars: the same characters as names, without the dot rules.
bool VarKeyOk(const std::string& key) {
  if (key.empty() || key.size() > kMaxNameBytes) return false;
  for (char c : key) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ApiResponse ListExperiments(Call& call) {
  return JsonReply(200, Json{{"experiments", call.control.ListExperiments()}});
}

ApiResponse ListSchedules(Call& call) {
  return JsonReply(200, Json{{"schedules", call.control.ListSchedules()}});
}

ApiResponse PatchSchedule(Call& call) {
  ApiResponse refusal;
  auto body = ReadBody(call.request, BodyRule::kRequired, {"paused"}, refusal);
  if (!body) return refusal;
  const Json* paused = Member(*body, "paused");
  if (paused == nullptr) return ErrorResponse(400, "/paused: missing (true or false)");
  if (!paused->is_boolean()) return ErrorResponse(400, "/paused: must be true or false");
  auto result = call.control.SetSchedulePaused(call.param, paused->get<bool>());
  if (!result) return FromStatus(result.error());
  return JsonReply(200, *result);
}

ApiResponse ListRuns(Call& call) {
  daemon::RunFilter filter;
  for (const auto& [key, value] : call.target.query) {
    if (key == "schedule" || key == "outcome") {
      if (value.empty()) continue;  // "any"
      if (std::string why = NameProblem(value); !why.empty()) {
        return ErrorResponse(400, "query parameter " + key + ": " + why);
      }
      (key == "schedule" ? filter.schedule : filter.outcome) = value;
    } else if (key == "offset") {
      if (!ParseCount(value, 1'000'000'000, filter.offset)) {
        return ErrorResponse(400, "query parameter offset: must be a whole number >= 0");
      }
    } else if (key == "limit") {
      if (!ParseCount(value, 1'000'000'000, filter.limit) || filter.limit == 0) {
        return ErrorResponse(400, "query parameter limit: must be a whole number >= 1");
      }
      if (filter.limit > kMaxRunsPage) filter.limit = kMaxRunsPage;
    } else {
      return ErrorResponse(
          400, "query parameter " + key + ": unknown (allowed: schedule, outcome, offset, limit)");
    }
  }
  Json out = call.control.ListRuns(filter);
  if (!out.is_object()) out = Json{{"runs", out}};
  out["offset"] = filter.offset;
  out["limit"] = filter.limit;
  return JsonReply(200, out);
}

ApiResponse GetRun(Call& call) {
  auto result = call.control.GetRun(call.param);
  if (!result) return FromStatus(result.error());
  return JsonReply(200, *result);
}

ApiResponse StartRun(Call& call) {
  ApiResponse refusal;
  auto body = ReadBody(call.request, BodyRule::kRequired, {"experiment", "vars"}, refusal);
  if (!body) return refusal;
  const Json* experiment = Member(*body, "experiment");
  if (experiment == nullptr) return ErrorResponse(400, "/experiment: missing (a name)");
  if (!experiment->is_string()) return ErrorResponse(400, "/experiment: must be a string");
  std::string name = experiment->get<std::string>();
  if (std::string why = NameProblem(name); !why.empty()) {
    return ErrorResponse(400, "/experiment: " + why);
  }
  subst::Overrides overrides;
  if (const Json* vars = Member(*body, "vars"); vars != nullptr && !vars->is_null()) {
    if (!vars->is_object()) {
      return ErrorResponse(400, "/vars: must be an object of configuration keys and values");
    }
    if (vars->size() > kMaxVars) {
      return ErrorResponse(400, "/vars: more than " + std::to_string(kMaxVars) + " entries");
    }
    for (const auto& [key, value] : vars->items()) {
      if (!VarKeyOk(key)) {
        return ErrorResponse(400, PointerAppend("/vars", key) +
                                      ": a key is 1 to 128 letters, digits, '.', '_' or '-'");
      }
      // Only scalars: an object override could be a `type: probe` or `type: env` declaration
      // (src/subst/configuration.cc), which would run a command or read the daemon's
      // environment on behalf of the caller.
      if (value.is_object() || value.is_array()) {
        return ErrorResponse(400, PointerAppend("/vars", key) +
                                      ": must be a string, a number, a boolean or null (objects "
                                      "and arrays are refused)");
      }
      overrides.configuration[key] = value;
    }
  }
  auto result = call.control.StartRun(name, overrides);
  if (!result) return FromStatus(result.error());
  ApiResponse reply = JsonReply(201, *result);
  if (const Json* id = Member(*result, "id");
      id != nullptr && id->is_string() && NameProblem(id->get<std::string>()).empty()) {
    reply.headers.emplace_back("Location", "/v1/runs/" + id->get<std::string>());
  }
  return reply;
}

ApiResponse AbortRun(Call& call) {
  ApiResponse refusal;
  if (!ReadBody(call.request, BodyRule::kOptional, {}, refusal)) return refusal;
  auto result = call.control.AbortRun(call.param);
  if (!result) return FromStatus(result.error());
  return JsonReply(200, *result);
}

ApiResponse GetHalt(Call& call) { return JsonReply(200, Json{{"halted", call.control.Halted()}}); }

ApiResponse SetHalt(Call& call) {
  ApiResponse refusal;
  auto body = ReadBody(call.request, BodyRule::kOptional, {"reason"}, refusal);
  if (!body) return refusal;
  std::string reason;
  if (const Json* r = Member(*body, "reason"); r != nullptr && !r->is_null()) {
    if (!r->is_string()) return ErrorResponse(400, "/reason: must be a string");
    reason = r->get<std::string>();
    if (reason.size() > kMaxReasonBytes) {
      return ErrorResponse(400,
                           "/reason: longer than " + std::to_string(kMaxReasonBytes) + " bytes");
    }
  }
  if (Status st = call.control.SetHalt(true, reason); !st.ok()) return FromStatus(st);
  return JsonReply(200, Json{{"halted", true}, {"reason", reason}});
}

ApiResponse ClearHalt(Call& call) {
  if (Status st = call.control.SetHalt(false, ""); !st.ok()) return FromStatus(st);
  return JsonReply(200, Json{{"halted", false}});
}

ApiResponse Health(Call& call) {
  Json health = call.control.Health();
  const Json* status = Member(health, "status");
  bool stopping = status != nullptr && status->is_string() && *status == "stopping";
  return JsonReply(stopping ? 503 : 200, health);
}

ApiResponse Metrics(Call& call) {
  ApiResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = call.control.Metrics();
  return r;
}

}  // namespace chaosrun::api::internal
