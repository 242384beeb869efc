// The notification sink's action and probe:
//   start_notification_sink {name?, port?}: opens the sink (sink.h); undo closes it.
//   notification_received {sink?, alertname?, labels?, status?, since?, within?,
//                          pass_before_sink?, wait_until?, measure?}: the first matching
//     notification, with its delay since the sink started (and since `since`).
#include "telemetry/actions.h"
#include "telemetry/args.h"
#include "telemetry/sink.h"
#include "telemetry/wait.h"

namespace chaosrun::drivers::telemetry {

namespace {

constexpr const char* kDefaultSink = "default";

std::string SinkName(const json& args, const char* key, std::string* name) {
  *name = kDefaultSink;
  std::string error;
  if (auto n = StringArg(args, key, &error)) {
    if (!network::IsSafeName(*n, 64)) return std::string(key) + " must be letters, digits and _.-";
    *name = *n;
  }
  return error;
}

}  // namespace

bool IsSinkAction(const std::string& func) { return func == "start_notification_sink"; }

sdk::Reply PrepareSink(const json& args) {
  if (std::string e = UnknownKey(args, {"name", "port"}); !e.empty()) {
    return sdk::Reply::Invalid("start_notification_sink: " + e);
  }
  std::string name;
  if (std::string e = SinkName(args, "name", &name); !e.empty()) {
    return sdk::Reply::Invalid("start_notification_sink: " + e);
  }
  int64_t port = 0;
  if (args.contains("port")) {
    auto p = IntegerIn(args["port"], 0, 65535);
    if (!p) return sdk::Reply::Invalid("start_notification_sink: port must be 0 to 65535");
    port = *p;
  }
  return sdk::Reply::Ok(
      json{{"targets", json::array({"sink:" + name + "/127.0.0.1:" + std::to_string(port)})},
           {"name", name},
           {"port", port},
           {"undo", {{"name", name}}}});
}

sdk::Reply ApplySink(const json& plan) {
  if (!plan.is_object() || !plan.contains("name") || !plan["name"].is_string()) {
    return sdk::Reply::Invalid("start_notification_sink: the plan has no name");
  }
  SinkInfo info;
  const int port =
      plan.contains("port") && plan["port"].is_number_integer() ? plan["port"].get<int>() : 0;
  if (std::string e = OpenSink(plan["name"].get<std::string>(), port, &info); !e.empty()) {
    return sdk::Reply::Failed("start_notification_sink: " + e);
  }
  return sdk::Reply::Ok(json{{"name", info.name},
                             {"address", "127.0.0.1:" + std::to_string(info.port)},
                             {"port", info.port},
                             {"started_at", IsoFromUnixMs(info.started_ms)}});
}

sdk::Reply UndoSink(const json& undo) {
  if (!undo.is_object() || !undo.contains("name") || !undo["name"].is_string()) {
    return sdk::Reply::Invalid("start_notification_sink: the undo has no name");
  }
  // After a crash the sink died with its process: nothing to close, and that is a success.
  bool closed = CloseSink(undo["name"].get<std::string>());
  return sdk::Reply::Ok(json{{"closed", closed}});
}

sdk::Reply ProbeNotificationReceived(const json& args, const Env& env) {
  if (std::string e = UnknownKey(args, {"sink", "alertname", "labels", "status", "since", "within",
                                        "pass_before_sink", "wait_until", "measure"});
      !e.empty()) {
    return sdk::Reply::Invalid("notification_received: " + e);
  }
  std::string sink, error;
  if (std::string e = SinkName(args, "sink", &sink); !e.empty()) {
    return sdk::Reply::Invalid("notification_received: " + e);
  }
  NotificationQuery q;
  if (std::string e = LabelsArg(args, "labels", &q.labels); !e.empty()) {
    return sdk::Reply::Invalid("notification_received: " + e);
  }
  if (auto n = StringArg(args, "alertname", &error)) q.labels["alertname"] = *n;
  if (auto s = StringArg(args, "status", &error)) {
    if (*s != "firing" && *s != "resolved" && *s != "any") {
      return sdk::Reply::Invalid("notification_received: status must be firing, resolved or any");
    }
    q.status = *s == "any" ? "" : *s;
  }
  std::optional<int64_t> since;
  if (auto s = StringArg(args, "since", &error)) {
    since = UnixMsFromIso(*s);
    if (!since) {
      return sdk::Reply::Invalid("notification_received: since must be an ISO-8601 UTC time");
    }
  }
  std::optional<double> within;
  if (args.contains("within")) {
    within = NumberIn(args["within"], 0.001, 86400);
    if (!within) return sdk::Reply::Invalid("notification_received: within must be seconds > 0");
  }
  bool pass_before = false;
  if (args.contains("pass_before_sink")) {
    if (!args["pass_before_sink"].is_boolean()) {
      return sdk::Reply::Invalid("notification_received: pass_before_sink must be true or false");
    }
    pass_before = args["pass_before_sink"].get<bool>();
  }
  if (!error.empty()) return sdk::Reply::Invalid("notification_received: " + error);
  auto wait = ParseWaitUntil(args, &error);
  if (!error.empty()) return sdk::Reply::Invalid("notification_received: " + error);
  if (wait &&
      (UnknownKey(wait->condition, {"received"}) != "" || !wait->condition.contains("received") ||
       !wait->condition["received"].is_boolean())) {
    return sdk::Reply::Invalid(
        "notification_received: wait_until/condition must be {\"received\": true} or "
        "{\"received\": false}");
  }
  auto once = [&]() -> sdk::Reply {
    SinkInfo info;
    if (!SnapshotSink(sink, &info)) {
      if (pass_before) {
        return sdk::Reply::Ok(json{{"received", true},
                                   {"vacuous", true},
                                   {"reason", "no sink named '" + sink + "' has been started"}});
      }
      return sdk::Reply::Failed("notification_received: no notification sink named '" + sink +
                                "' is open (start_notification_sink first)");
    }
    NotificationQuery query = q;
    query.not_before_ms = since ? std::max(*since, info.started_ms) : info.started_ms;
    if (within) query.not_after_ms = info.started_ms + static_cast<int64_t>(*within * 1000);
    size_t alert = 0;
    int count = 0;
    int first = FirstMatch(info.received, query, &alert, &count);
    json out{{"received", first >= 0},
             {"count", count},
             {"sink", sink},
             {"sink_started_at", IsoFromUnixMs(info.started_ms)},
             {"notifications", info.received.size()}};
    if (first < 0) return sdk::Reply::Ok(out);
    const Notification& n = info.received[static_cast<size_t>(first)];
    out["first"] = NotificationJson(n, n.alerts[alert]);
    out["observed_at"] = IsoFromUnixMs(n.arrival_ms);
    out["delay"] = static_cast<double>(n.arrival_ms - info.started_ms) / 1000.0;
    if (since) out["delay_since"] = static_cast<double>(n.arrival_ms - *since) / 1000.0;
    return sdk::Reply::Ok(out);
  };
  if (!wait) return once();
  const bool want = wait->condition["received"].get<bool>();
  return PollUntil(*wait, env, once,
                   [want](const json& v) { return v.value("received", !want) == want; });
}

}  // namespace chaosrun::drivers::telemetry
