// prometheus_query's pure parts, for tests: the answer of GET /api/v1/query to a probe value,
// and the wait_until condition on that value.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace chaosrun::drivers::telemetry {

// Prometheus' answer -> a number (a scalar, or a vector of one sample), a string (a string
// result), or [{"metric": {...}, "value": n}] (any other vector; a matrix gives "values":
// [[t, n], ...]). Values Prometheus writes as "NaN", "+Inf" or "-Inf" stay those strings.
// Returns an error for a person ("bad_data: parse error at char 5: ...") or "".
std::string PrometheusValue(const nlohmann::json& body, nlohmann::json* value);

// A condition {"op": ">", "value": 1} or {"absent": true}: "" when well-formed.
std::string CheckPromCondition(const nlohmann::json& condition);
// Whether `value` (PrometheusValue's output) satisfies it: a number directly; a vector when any
// element does; {"absent": b} when the query returned nothing (an empty vector) == b.
bool PromConditionHolds(const nlohmann::json& condition, const nlohmann::json& value);

}  // namespace chaosrun::drivers::telemetry
