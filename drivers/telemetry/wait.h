// The `wait_until` form shared by every telemetry probe: poll the probe until a condition on its
// value holds or a deadline passes. Polls are `interval` apart (default 0.5 s), the first one at
// once; the wait honours the host's cancellation (a signal to chaosrun interrupts it within
// ~50 ms) and measures with the host's monotonic clock (Env).
//
// The result is data, never an error, unless the call was cancelled or a poll was refused as
// bad input:
//   {"held": bool, "waited": s, "observed_at": ISO or null, "polls": n,
//    "value": the last poll's value (null if none succeeded), "error": the last poll's error}
// "observed_at" is when the condition was seen to hold: the value's own "observed_at" when it
// has one (a notification's arrival), else the wall time of the poll that saw it.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "chaosrun/driver_sdk.hpp"
#include "telemetry/env.h"

namespace chaosrun::drivers::telemetry {

struct WaitSpec {
  nlohmann::json condition;  // the probe's own shape, checked by the probe
  double timeout_s = 0;
  double interval_s = 0.5;
};

// args["wait_until"]: nullopt without error when absent; nullopt and *error when malformed.
std::optional<WaitSpec> ParseWaitUntil(const nlohmann::json& args, std::string* error);

// Polls `once` until `holds(value)` is true for an OK reply, the timeout passes or the call is
// cancelled (CHAOSRUN_CANCELLED). A FAILED poll is remembered and polling goes on; an INVALID
// or INTERNAL poll ends the wait with that reply.
sdk::Reply PollUntil(const WaitSpec& spec, const Env& env, const std::function<sdk::Reply()>& once,
                     const std::function<bool(const nlohmann::json&)>& holds);

}  // namespace chaosrun::drivers::telemetry
