#include "telemetry/descriptor.h"

#include <string>

#include "telemetry/actions.h"

namespace chaosrun::drivers::telemetry {

// Named, not anonymous: the library is compiled in unity batches whose other files say
// `using nlohmann::json` in their anonymous namespace.
namespace descriptor_internal {

// Ordered, so that arguments are listed (in `chaosrun drivers` and in errors) as declared here.
using json = nlohmann::ordered_json;

json Object(json props, json required) {
  return json{{"type", "object"},
              {"properties", std::move(props)},
              {"required", std::move(required)},
              {"additionalProperties", false}};
}

json HttpUrl(const char* what) {
  return json{{"type", "string"}, {"pattern", "^http://"}, {"description", what}};
}

json Seconds(const char* what, double max) {
  return json{{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", max}, {"description", what}};
}

json Labels() {
  return json{{"type", "object"},
              {"additionalProperties", {{"type", "string"}}},
              {"description", "label name -> exact value every match must carry"}};
}

// `wait_until`: poll until `condition` holds or `timeout` passes.
json WaitUntil(json condition) {
  json wait = Object({{"condition", std::move(condition)},
                      {"timeout", Seconds("seconds to keep polling", 3600)},
                      {"interval",
                       {{"type", "number"},
                        {"minimum", 0.05},
                        {"maximum", 60},
                        {"description", "seconds between two polls"},
                        {"default", 0.5}}}},
                     json::array({"condition", "timeout"}));
  wait["description"] =
      "poll until the condition holds or the timeout passes; reports {\"held\", \"waited\", "
      "\"observed_at\", \"polls\", \"value\"}";
  return wait;
}

json AlertName() {
  return json{{"type", "string"}, {"minLength", 1}, {"description", "the alert's alertname label"}};
}

json Measure() {
  return json{{"enum", json::array({"time_to_detect", "time_to_notify", "time_to_recover"})},
              {"description",
               "which drill time this probe's observed_at ends (the journal's \"drill\" key)"}};
}

json PrometheusQuery() {
  json condition = json{
      {"type", "object"},
      {"properties",
       {{"op", {{"enum", json::array({">", ">=", "<", "<=", "==", "!="})}}},
        {"value", {{"type", "number"}}},
        {"absent", {{"type", "boolean"}, {"description", "true: the query returns nothing"}}}}},
      {"additionalProperties", false}};
  return json{
      {"name", "prometheus_query"},
      {"description",
       "an instant query (GET /api/v1/query): a number for a scalar or a one-element vector, "
       "else [{\"metric\": {...}, \"value\": n}]"},
      {"arguments",
       Object({{"url", HttpUrl("Prometheus (default http://127.0.0.1:9090)")},
               {"query", {{"type", "string"}, {"minLength", 1}, {"description", "PromQL"}}},
               {"timeout", Seconds("seconds for one request (default 5)", 300)},
               {"wait_until", WaitUntil(condition)},
               {"measure", Measure()}},
              json::array({"query"}))}};
}

json AlertFiring() {
  return json{
      {"name", "alert_firing"},
      {"description",
       "alerts Alertmanager holds (GET /api/v2/alerts) that carry every given label: "
       "{\"firing\", \"count\", \"since\": the earliest startsAt or null, \"alerts\"}"},
      {"arguments", Object({{"url", HttpUrl("Alertmanager (default http://127.0.0.1:9093)")},
                            {"alertname", AlertName()},
                            {"labels", Labels()},
                            {"timeout", Seconds("seconds for one request (default 5)", 300)},
                            {"wait_until", WaitUntil(Object({{"firing", {{"type", "boolean"}}}},
                                                            json::array({"firing"})))},
                            {"measure", Measure()}},
                           json::array())}};
}

json NotificationReceived() {
  return json{
      {"name", "notification_received"},
      {"description",
       "the first notification a sink (start_notification_sink) recorded for a matching alert: "
       "{\"received\", \"count\", \"first\", \"observed_at\", \"delay\": seconds since "
       "the sink started, \"delay_since\"}"},
      {"arguments",
       Object({{"sink",
                {{"type", "string"},
                 {"minLength", 1},
                 {"description", "the sink's name"},
                 {"default", "default"}}},
               {"alertname", AlertName()},
               {"labels", Labels()},
               {"status",
                {{"enum", json::array({"firing", "resolved", "any"})},
                 {"description", "the alert's status in the notification"},
                 {"default", "firing"}}},
               {"since",
                {{"type", "string"},
                 {"description", "ISO-8601 UTC: only notifications that arrived from then on"}}},
               {"within", Seconds("only notifications that arrived within this many seconds "
                                  "of the sink's start",
                                  86400)},
               {"pass_before_sink",
                {{"type", "boolean"},
                 {"description",
                  "true: while no such sink has been started (a before-hypothesis), answer "
                  "received: true, vacuous: true"}}},
               {"wait_until", WaitUntil(Object({{"received", {{"type", "boolean"}}}},
                                               json::array({"received"})))},
               {"measure", Measure()}},
              json::array())}};
}

json StartNotificationSink() {
  return json{
      {"name", "start_notification_sink"},
      {"description",
       "open an HTTP receiver on 127.0.0.1 for Alertmanager's webhook receiver; it records every "
       "notification until its undo closes it. Result {\"name\", \"address\", \"port\", "
       "\"started_at\"}"},
      {"arguments", Object({{"name",
                             {{"type", "string"},
                              {"minLength", 1},
                              {"maxLength", 64},
                              {"pattern", "^[A-Za-z0-9_.-]+$"},
                              {"description", "the sink's name for the probes"},
                              {"default", "default"}}},
                            {"port",
                             {{"type", "integer"},
                              {"minimum", 0},
                              {"maximum", 65535},
                              {"description", "the port on 127.0.0.1 (0: any free port)"},
                              {"default", 0}}}},
                           json::array())}};
}

json Build() {
  json actions = json::array({StartNotificationSink()});
  for (const auto& a : FaultActionsDescriptor()) actions.push_back(json(a));
  return json{{"name", "telemetry"},
              {"version", "1.0.0"},
              {"description",
               "Telemetry and alerting: Prometheus queries, Alertmanager alerts and a "
               "notification sink that proves the page arrived, each with a wait_until form; "
               "faults that break a telemetry path."},
              // Calls share only the sink registry (sink.cc, under its mutex); everything else is
              // per call. So a fault's undo never waits behind a long wait_until probe.
              {"concurrent_calls", true},
              {"actions", actions},
              {"probes", json::array({PrometheusQuery(), AlertFiring(), NotificationReceived()})}};
}

}  // namespace descriptor_internal

nlohmann::json BuildDescriptor() { return descriptor_internal::Build(); }

const char* DescriptorJson() {
  static const std::string text = [] {
    try {
      return descriptor_internal::Build().dump();
    } catch (...) {
      return std::string();
    }
  }();
  return text.c_str();
}

}  // namespace chaosrun::drivers::telemetry
