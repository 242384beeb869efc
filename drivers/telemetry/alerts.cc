// alert_firing: the alerts Alertmanager holds (API v2, GET /api/v2/alerts), matched by labels
// here rather than by Alertmanager's matcher syntax, so no value needs quoting.
#include "telemetry/alerts.h"

#include "telemetry/actions.h"
#include "telemetry/args.h"
#include "telemetry/http_json.h"
#include "telemetry/wait.h"

namespace chaosrun::drivers::telemetry {

bool LabelsInclude(const json& have, const json& want) {
  if (!have.is_object()) return want.empty();
  for (const auto& [k, v] : want.items()) {
    auto it = have.find(k);
    if (it == have.end() || *it != v) return false;
  }
  return true;
}

std::string SummariseAlerts(const json& body, const json& labels, int64_t now_ms, json* out) {
  if (!body.is_array()) return "the answer is not a list of alerts";
  int count = 0;
  std::optional<int64_t> since;
  std::string since_text;
  json listed = json::array();
  for (const auto& a : body) {
    if (!a.is_object()) continue;
    if (!LabelsInclude(a.contains("labels") ? a["labels"] : json(nullptr), labels)) continue;
    std::string state = "active";
    if (a.contains("status") && a["status"].is_object() && a["status"].contains("state") &&
        a["status"]["state"].is_string()) {
      state = a["status"]["state"].get<std::string>();
    }
    if (state != "active" && state != "unprocessed") continue;
    if (a.contains("endsAt") && a["endsAt"].is_string()) {
      auto ends = UnixMsFromIso(a["endsAt"].get<std::string>());
      if (ends && *ends > 0 && *ends < now_ms) continue;  // resolved
    }
    ++count;
    std::string starts =
        a.contains("startsAt") && a["startsAt"].is_string() ? a["startsAt"].get<std::string>() : "";
    if (auto t = UnixMsFromIso(starts); t && (!since || *t < *since)) {
      since = t;
      since_text = starts;
    }
    if (listed.size() < 20) {
      listed.push_back(json{{"labels", a.contains("labels") ? a["labels"] : json::object()},
                            {"startsAt", starts},
                            {"state", state}});
    }
  }
  *out = json{{"firing", count > 0},
              {"count", count},
              {"since", since ? json(since_text) : json(nullptr)},
              {"alerts", std::move(listed)}};
  return "";
}

sdk::Reply ProbeAlertFiring(const json& args, const Env& env) {
  if (std::string e =
          UnknownKey(args, {"url", "alertname", "labels", "timeout", "wait_until", "measure"});
      !e.empty()) {
    return sdk::Reply::Invalid("alert_firing: " + e);
  }
  network::Url url;
  if (std::string e = UrlArg(args, "url", "http://127.0.0.1:9093", &url); !e.empty()) {
    return sdk::Reply::Invalid("alert_firing: " + e);
  }
  json labels;
  if (std::string e = LabelsArg(args, "labels", &labels); !e.empty()) {
    return sdk::Reply::Invalid("alert_firing: " + e);
  }
  std::string error;
  if (auto name = StringArg(args, "alertname", &error)) labels["alertname"] = *name;
  if (!error.empty()) return sdk::Reply::Invalid("alert_firing: " + error);
  if (labels.empty()) {
    return sdk::Reply::Invalid("alert_firing: give alertname or labels (which alerts to look at)");
  }
  Env call_env = env;
  if (args.contains("timeout")) {
    auto t = NumberIn(args["timeout"], 0.001, 300);
    if (!t) return sdk::Reply::Invalid("alert_firing: timeout must be 0.001 to 300 seconds");
    call_env.http_timeout = std::chrono::milliseconds(static_cast<int64_t>(*t * 1000));
  }
  auto wait = ParseWaitUntil(args, &error);
  if (!error.empty()) return sdk::Reply::Invalid("alert_firing: " + error);
  if (wait && (UnknownKey(wait->condition, {"firing"}) != "" ||
               !wait->condition.contains("firing") || !wait->condition["firing"].is_boolean())) {
    return sdk::Reply::Invalid(
        "alert_firing: wait_until/condition must be {\"firing\": true} or {\"firing\": false}");
  }
  auto once = [&]() -> sdk::Reply {
    JsonReply r = GetJson(url, "/api/v2/alerts", call_env);
    if (r.cancelled) return sdk::Reply::Error(CHAOSRUN_CANCELLED, "alert_firing: cancelled");
    if (!r.error.empty()) return sdk::Reply::Failed("alert_firing: " + r.error);
    json out;
    if (std::string e = SummariseAlerts(r.body, labels, call_env.WallMs(), &out); !e.empty()) {
      return sdk::Reply::Failed("alert_firing: " + e);
    }
    return sdk::Reply::Ok(out);
  };
  if (!wait) return once();
  const bool want = wait->condition["firing"].get<bool>();
  return PollUntil(*wait, call_env, once,
                   [want](const json& v) { return v.value("firing", !want) == want; });
}

}  // namespace chaosrun::drivers::telemetry
