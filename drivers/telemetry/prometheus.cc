// prometheus_query: an instant query through Prometheus' HTTP API (GET /api/v1/query).
#include "telemetry/prometheus.h"

#include <cstdlib>

#include "telemetry/actions.h"
#include "telemetry/args.h"
#include "telemetry/http_json.h"
#include "telemetry/wait.h"

namespace chaosrun::drivers::telemetry {

namespace {

// "1.5" -> 1.5; "NaN"/"+Inf"/"-Inf" stay strings (JSON has no such numbers).
json SampleValue(const json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) return nullptr;
  const std::string s = pair[1].get<std::string>();
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || s == "NaN" || s == "+Inf" || s == "-Inf") return s;
  return d;
}

bool Compare(const std::string& op, double a, double b) {
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  return false;
}

}  // namespace

std::string PrometheusValue(const json& body, json* value) {
  if (!body.is_object()) return "the answer is not a JSON object";
  if (body.value("status", "") != "success") {
    std::string type = body.contains("errorType") && body["errorType"].is_string()
                           ? body["errorType"].get<std::string>()
                           : "error";
    std::string why = body.contains("error") && body["error"].is_string()
                          ? body["error"].get<std::string>()
                          : "status is not success";
    return type + ": " + why;
  }
  const json* data = body.contains("data") ? &body["data"] : nullptr;
  if (data == nullptr || !data->is_object() || !data->contains("resultType") ||
      !data->contains("result")) {
    return "the answer has no data.resultType and data.result";
  }
  const std::string type =
      (*data)["resultType"].is_string() ? (*data)["resultType"].get<std::string>() : "";
  const json& result = (*data)["result"];
  if (type == "scalar" || type == "string") {
    json v = SampleValue(result);
    if (v.is_null()) return "a " + type + " result that is not [time, \"value\"]";
    *value = v;
    return "";
  }
  if (type != "vector" && type != "matrix") return "unknown resultType '" + type + "'";
  if (!result.is_array()) return "data.result is not a list";
  if (type == "vector" && result.size() == 1 && result[0].is_object() &&
      result[0].contains("value")) {
    json v = SampleValue(result[0]["value"]);
    if (v.is_null()) return "a sample that is not [time, \"value\"]";
    *value = v;
    return "";
  }
  json out = json::array();
  for (const auto& s : result) {
    if (!s.is_object()) return "a series that is not an object";
    json e{
        {"metric", s.contains("metric") && s["metric"].is_object() ? s["metric"] : json::object()}};
    if (type == "vector") {
      e["value"] = s.contains("value") ? SampleValue(s["value"]) : json(nullptr);
    } else {
      json values = json::array();
      if (s.contains("values") && s["values"].is_array()) {
        for (const auto& p : s["values"]) {
          values.push_back(
              json::array({p.is_array() && !p.empty() ? p[0] : json(nullptr), SampleValue(p)}));
        }
      }
      e["values"] = std::move(values);
    }
    out.push_back(std::move(e));
  }
  *value = std::move(out);
  return "";
}

std::string CheckPromCondition(const json& c) {
  if (!c.is_object()) return "condition must be an object";
  if (std::string e = UnknownKey(c, {"op", "value", "absent"}); !e.empty()) return e;
  if (c.contains("absent")) {
    if (!c["absent"].is_boolean()) return "absent must be true or false";
    if (c.contains("op") || c.contains("value")) return "absent cannot go with op and value";
    return "";
  }
  static const char* kOps[] = {">", ">=", "<", "<=", "==", "!="};
  bool known = false;
  if (c.contains("op") && c["op"].is_string()) {
    for (const char* op : kOps) known = known || c["op"] == op;
  }
  if (!known) return "op must be one of >, >=, <, <=, ==, !=";
  if (!c.contains("value") || !c["value"].is_number()) return "value must be a number";
  return "";
}

bool PromConditionHolds(const json& c, const json& value) {
  const bool empty = value.is_array() && value.empty();
  if (c.contains("absent")) return c["absent"].get<bool>() == empty;
  const std::string op = c["op"].get<std::string>();
  const double b = c["value"].get<double>();
  if (value.is_number()) return Compare(op, value.get<double>(), b);
  if (value.is_array()) {
    for (const auto& e : value) {
      if (e.is_object() && e.contains("value") && e["value"].is_number() &&
          Compare(op, e["value"].get<double>(), b)) {
        return true;
      }
    }
  }
  return false;
}

sdk::Reply ProbePrometheusQuery(const json& args, const Env& env_in) {
  if (std::string e = UnknownKey(args, {"url", "query", "timeout", "wait_until", "measure"});
      !e.empty()) {
    return sdk::Reply::Invalid("prometheus_query: " + e);
  }
  network::Url url;
  if (std::string e = UrlArg(args, "url", "http://127.0.0.1:9090", &url); !e.empty()) {
    return sdk::Reply::Invalid("prometheus_query: " + e);
  }
  std::string error;
  auto query = StringArg(args, "query", &error);
  if (!query) return sdk::Reply::Invalid("prometheus_query: query must be a non-empty string");
  Env env = env_in;
  if (args.contains("timeout")) {
    auto t = NumberIn(args["timeout"], 0.001, 300);
    if (!t) return sdk::Reply::Invalid("prometheus_query: timeout must be 0.001 to 300 seconds");
    env.http_timeout = std::chrono::milliseconds(static_cast<int64_t>(*t * 1000));
  }
  auto wait = ParseWaitUntil(args, &error);
  if (!error.empty()) return sdk::Reply::Invalid("prometheus_query: " + error);
  if (wait) {
    if (std::string e = CheckPromCondition(wait->condition); !e.empty()) {
      return sdk::Reply::Invalid("prometheus_query: wait_until/condition: " + e);
    }
  }
  const std::string path = "/api/v1/query?query=" + EncodeQueryValue(*query);
  auto once = [&]() -> sdk::Reply {
    JsonReply r = GetJson(url, path, env);
    if (r.cancelled) return sdk::Reply::Error(CHAOSRUN_CANCELLED, "prometheus_query: cancelled");
    if (!r.reached) return sdk::Reply::Failed("prometheus_query: " + r.error);
    json value;
    // A bad query is a 400 with Prometheus' own error object: say what Prometheus said.
    std::string why = PrometheusValue(r.body, &value);
    if (!why.empty()) {
      return sdk::Reply::Failed("prometheus_query: " + *query + ": " +
                                (r.body.is_object() ? why : r.error));
    }
    return sdk::Reply::Ok(value);
  };
  if (!wait) return once();
  return PollUntil(*wait, env, once,
                   [&](const json& v) { return PromConditionHolds(wait->condition, v); });
}

}  // namespace chaosrun::drivers::telemetry
