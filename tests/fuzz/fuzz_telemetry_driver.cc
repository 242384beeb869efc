// libFuzzer target: the telemetry driver's parsers of untrusted text (drivers/telemetry/): the
// Alertmanager webhook payloads the notification sink records, Prometheus' /api/v1/query and
// Alertmanager's /api/v2/alerts answers, ISO-8601 times, and the arguments of its probes and of
// start_notification_sink (wait_until conditions included). Input: first byte picks the parser
// ('w' webhook, 'p' Prometheus answer, 'm' Alertmanager answer, 't' a time, anything else probe
// arguments); for w/p/m the text is the body, a NUL, then the probe's arguments (labels, status,
// wait_until condition). Never a crash or an exception.
//
// Safety: probes run with a cancelled Env (a wait_until ends before its first poll) and their
// "url" is checked with UrlArg and then replaced by http://127.0.0.1:1 (nothing listens there,
// so a poll without a wait is a refused loopback connect), so no input resolves a name or
// reaches another host; no sink is ever opened (PrepareSink only).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/actions.h"
#include "telemetry/alerts.h"
#include "telemetry/args.h"
#include "telemetry/prometheus.h"
#include "telemetry/wait.h"
#include "telemetry/webhook.h"

namespace tel = chaosrun::drivers::telemetry;
using nlohmann::json;

namespace {

// 2026-12-07T03:00:00Z in Unix ms.
constexpr int64_t kNowMs = 1796612400000;

json ParseOr(std::string_view text, json fallback) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? fallback : j;
}

void FuzzWebhook(const std::string& body, const json& args) {
  tel::Notification n;
  if (!tel::ParseWebhook(body, kNowMs, &n).empty()) return;
  tel::NotificationQuery q;
  if (!tel::LabelsArg(args, "labels", &q.labels).empty()) return;
  if (args.is_object() && args.contains("status") && args["status"].is_string()) {
    q.status = args["status"].get<std::string>();
  }
  q.not_before_ms = kNowMs - 1000;
  const std::vector<tel::Notification> got{n, n};
  size_t alert = 0;
  int count = 0;
  const int first = tel::FirstMatch(got, q, &alert, &count);
  if (first >= 0) {
    if (static_cast<size_t>(first) >= got.size() || alert >= got[first].alerts.size()) {
      std::abort();
    }
    (void)tel::NotificationJson(got[first], got[first].alerts[alert]).dump();
  }
}

void FuzzPrometheus(const json& body, const json& args) {
  json value;
  if (!tel::PrometheusValue(body, &value).empty()) return;
  (void)value.dump();
  const json condition = args.is_object() && args.contains("condition") ? args["condition"] : args;
  if (tel::CheckPromCondition(condition).empty()) (void)tel::PromConditionHolds(condition, value);
}

void FuzzAlertmanager(const json& body, const json& args) {
  json labels;
  if (!tel::LabelsArg(args, "labels", &labels).empty()) return;
  json out;
  if (tel::SummariseAlerts(body, labels, kNowMs, &out).empty()) (void)out.dump();
  if (body.is_array()) {
    for (const json& a : body) {
      if (a.is_object() && a.contains("labels")) (void)tel::LabelsInclude(a["labels"], labels);
    }
  }
}

void FuzzTime(const std::string& text) {
  const auto ms = tel::UnixMsFromIso(text);
  if (!ms) return;
  // What the driver writes, it reads back to the same millisecond.
  if (tel::UnixMsFromIso(tel::IsoFromUnixMs(*ms)) != ms) std::abort();
}

void FuzzProbeArgs(uint8_t selector, json args) {
  std::string error;
  (void)tel::ParseWaitUntil(args, &error);
  if (args.is_object() && args.contains("url")) {
    chaosrun::drivers::network::Url url;
    (void)tel::UrlArg(args, "url", "http://127.0.0.1:9090", &url);
    args["url"] = "http://127.0.0.1:1";
  } else if (args.is_object()) {
    args["url"] = "http://127.0.0.1:1";
  }
  tel::Env env;
  env.cancelled = [] { return true; };
  env.wall_ms = [] { return kNowMs; };
  env.monotonic_ns = [] { return uint64_t{1}; };
  env.http_timeout = std::chrono::milliseconds(100);
  switch (selector % 4) {
    case 0:
      (void)tel::Probe("prometheus_query", args, env).value.dump();
      break;
    case 1:
      (void)tel::Probe("alert_firing", args, env).value.dump();
      break;
    case 2:
      if (args.is_object()) args.erase("url");
      (void)tel::Probe("notification_received", args, env).value.dump();
      break;
    default:
      if (args.is_object()) args.erase("url");
      (void)tel::PrepareSink(args).value.dump();
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nul = rest.find('\0');
  const std::string body(rest.substr(0, nul));
  const json args = nul == std::string_view::npos ? json::object()
                                                  : ParseOr(rest.substr(nul + 1), json::object());
  switch (data[0]) {
    case 'w':
      FuzzWebhook(body, args);
      break;
    case 'p':
      FuzzPrometheus(ParseOr(body, nullptr), args);
      break;
    case 'm':
      FuzzAlertmanager(ParseOr(body, nullptr), args);
      break;
    case 't':
      FuzzTime(std::string(rest));
      break;
    default: {
      const json probe_args = json::parse(rest, nullptr, /*allow_exceptions=*/false);
      if (!probe_args.is_discarded()) FuzzProbeArgs(data[0], probe_args);
      break;
    }
  }
  return 0;
}
