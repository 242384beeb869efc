#include "telemetry/wait.h"

#include <algorithm>
#include <cmath>

#include "telemetry/args.h"

namespace chaosrun::drivers::telemetry {

std::optional<WaitSpec> ParseWaitUntil(const nlohmann::json& args, std::string* error) {
  if (!args.is_object() || !args.contains("wait_until")) return std::nullopt;
  const json& w = args["wait_until"];
  if (!w.is_object()) {
    *error = "wait_until must be an object {\"condition\", \"timeout\", \"interval\"}";
    return std::nullopt;
  }
  if (std::string e = UnknownKey(w, {"condition", "timeout", "interval"}); !e.empty()) {
    *error = "wait_until: " + e;
    return std::nullopt;
  }
  WaitSpec spec;
  if (!w.contains("condition") || !w["condition"].is_object()) {
    *error = "wait_until/condition must be an object";
    return std::nullopt;
  }
  spec.condition = w["condition"];
  auto t = w.contains("timeout") ? NumberIn(w["timeout"], 0.001, 3600) : std::nullopt;
  if (!t) {
    *error = "wait_until/timeout must be seconds, above 0 and at most 3600";
    return std::nullopt;
  }
  spec.timeout_s = *t;
  if (w.contains("interval")) {
    auto i = NumberIn(w["interval"], 0.05, 60);
    if (!i) {
      *error = "wait_until/interval must be seconds from 0.05 to 60";
      return std::nullopt;
    }
    spec.interval_s = *i;
  }
  return spec;
}

sdk::Reply PollUntil(const WaitSpec& spec, const Env& env, const std::function<sdk::Reply()>& once,
                     const std::function<bool(const nlohmann::json&)>& holds) {
  const uint64_t start = env.NowNs();
  const uint64_t limit = static_cast<uint64_t>(spec.timeout_s * 1e9);
  const int64_t interval_ms = std::max<int64_t>(1, std::llround(spec.interval_s * 1000));
  json out{{"held", false}, {"waited", 0.0},    {"observed_at", nullptr},
           {"polls", 0},    {"value", nullptr}, {"condition", spec.condition}};
  int polls = 0;
  while (true) {
    if (env.Cancelled()) return sdk::Reply::Error(CHAOSRUN_CANCELLED, "wait_until: cancelled");
    sdk::Reply r = once();
    ++polls;
    const uint64_t now = env.NowNs();
    out["polls"] = polls;
    out["waited"] = static_cast<double>(now - start) / 1e9;
    if (r.status == CHAOSRUN_CANCELLED) return r;
    if (r.status == CHAOSRUN_INVALID_ARGUMENT || r.status == CHAOSRUN_INTERNAL) return r;
    if (r.status == CHAOSRUN_OK) {
      out["value"] = r.value;
      out.erase("error");
      if (holds(r.value)) {
        out["held"] = true;
        const json* own = r.value.is_object() && r.value.contains("observed_at")
                              ? &r.value["observed_at"]
                              : nullptr;
        out["observed_at"] =
            own != nullptr && own->is_string() ? *own : json(IsoFromUnixMs(env.WallMs()));
        return sdk::Reply::Ok(out);
      }
    } else {
      out["error"] =
          r.value.is_object() && r.value.contains("error") ? r.value["error"] : json("poll failed");
    }
    if (now - start >= limit) return sdk::Reply::Ok(out);
    const uint64_t left_ms = (limit - (now - start)) / 1000000ULL;
    if (!env.SleepMs(std::min<int64_t>(interval_ms, static_cast<int64_t>(left_ms) + 1))) {
      return sdk::Reply::Error(CHAOSRUN_CANCELLED, "wait_until: cancelled");
    }
  }
}

}  // namespace chaosrun::drivers::telemetry
