// alert_firing's pure part, for tests: Alertmanager's GET /api/v2/alerts answer to
// {"firing": bool, "count": n, "since": ISO of the earliest startsAt or null, "alerts": [...]}.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace chaosrun::drivers::telemetry {

// Counts the alerts whose labels include every pair of `labels` (alertname among them when
// given), whose status.state is "active" (or "unprocessed": just received; a silenced or
// inhibited alert is "suppressed" and does not count) and whose endsAt is not before `now_ms`.
// "alerts" lists at most 20 matches as {"labels", "startsAt", "state"}.
// Returns an error for a person, or "".
std::string SummariseAlerts(const nlohmann::json& body, const nlohmann::json& labels,
                            int64_t now_ms, nlohmann::json* out);

// Whether every pair of `want` (string values) is in `have`.
bool LabelsInclude(const nlohmann::json& have, const nlohmann::json& want);

}  // namespace chaosrun::drivers::telemetry
