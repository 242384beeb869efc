// The sink's parsing of Alertmanager's webhook payload (version 4), with payloads as
// Alertmanager 0.25 sends them.
#include "telemetry/webhook.h"

#include <gtest/gtest.h>

namespace chaosrun::drivers::telemetry {
namespace {

constexpr const char* kFiring = R"({
  "receiver": "sink",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": {"alertname": "TelemetryLost", "instance": "127.0.0.1:39825",
                 "job": "lab-exporter", "severity": "page"},
      "annotations": {"summary": "the lab exporter cannot be scraped"},
      "startsAt": "2026-12-07T02:23:19.096Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://host:9090/graph?g0.expr=up%7Bjob%3D%22lab-exporter%22%7D+%3D%3D+0",
      "fingerprint": "6934c8e0ac2d9d5a"
    }
  ],
  "groupLabels": {"alertname": "TelemetryLost"},
  "commonLabels": {"alertname": "TelemetryLost", "job": "lab-exporter", "severity": "page"},
  "commonAnnotations": {"summary": "the lab exporter cannot be scraped"},
  "externalURL": "http://host:9093",
  "version": "4",
  "groupKey": "{}:{alertname=\"TelemetryLost\"}",
  "truncatedAlerts": 0
})";

constexpr const char* kResolvedTwo = R"({
  "receiver": "sink", "status": "resolved", "version": "4", "groupKey": "{}:{}",
  "alerts": [
    {"status": "resolved", "labels": {"alertname": "TLSCertificateInvalid", "severity": "page"},
     "annotations": {}, "startsAt": "2026-12-07T02:30:00Z", "endsAt": "2026-12-07T02:30:09Z",
     "fingerprint": "a"},
    {"status": "resolved", "labels": {"alertname": "TelemetryLost"},
     "startsAt": "2026-12-07T02:29:00Z", "endsAt": "2026-12-07T02:29:30Z", "fingerprint": "b"}
  ]
})";

TEST(Webhook, ParsesAFiringNotification) {
  Notification n;
  ASSERT_EQ(ParseWebhook(kFiring, 1234, &n), "");
  EXPECT_EQ(n.arrival_ms, 1234);
  EXPECT_EQ(n.status, "firing");
  EXPECT_EQ(n.receiver, "sink");
  EXPECT_EQ(n.group_key, "{}:{alertname=\"TelemetryLost\"}");
  ASSERT_EQ(n.alerts.size(), 1u);
  EXPECT_EQ(n.alerts[0].status, "firing");
  EXPECT_EQ(n.alerts[0].labels["alertname"], "TelemetryLost");
  EXPECT_EQ(n.alerts[0].annotations["summary"], "the lab exporter cannot be scraped");
  EXPECT_EQ(n.alerts[0].starts_at, "2026-12-07T02:23:19.096Z");
  EXPECT_EQ(n.alerts[0].ends_at, "0001-01-01T00:00:00Z");
  EXPECT_EQ(n.alerts[0].fingerprint, "6934c8e0ac2d9d5a");
}

TEST(Webhook, ParsesResolvedAlertsWithoutAnnotations) {
  Notification n;
  ASSERT_EQ(ParseWebhook(kResolvedTwo, 0, &n), "");
  ASSERT_EQ(n.alerts.size(), 2u);
  EXPECT_EQ(n.alerts[1].status, "resolved");
  EXPECT_TRUE(n.alerts[1].annotations.empty());
}

TEST(Webhook, ErrorsNameThePointerAndTheReason) {
  Notification n;
  EXPECT_EQ(ParseWebhook("{", 0, &n), "the body is not JSON");
  EXPECT_EQ(ParseWebhook("[]", 0, &n), "/: must be an object (Alertmanager's webhook payload)");
  EXPECT_EQ(ParseWebhook(R"({"status": "firing", "alerts": []})", 0, &n), "/version: missing");
  EXPECT_EQ(ParseWebhook(R"({"version": "3", "status": "firing", "alerts": []})", 0, &n),
            "/version: \"3\" is not the supported version \"4\"");
  EXPECT_EQ(ParseWebhook(R"({"version": "4", "status": "burning", "alerts": []})", 0, &n),
            "/status: must be \"firing\" or \"resolved\", not \"burning\"");
  EXPECT_EQ(ParseWebhook(R"({"version": "4", "status": "firing"})", 0, &n),
            "/alerts: must be a list");
  EXPECT_EQ(ParseWebhook(R"({"version": "4", "status": "firing", "alerts": [1]})", 0, &n),
            "/alerts/0: must be an object");
  EXPECT_EQ(ParseWebhook(R"({"version": "4", "status": "firing", "alerts": [
                {"status": "firing", "labels": {"severity": 3}}]})",
                         0, &n),
            "/alerts/0/labels/severity: must be a string");
  EXPECT_EQ(ParseWebhook(R"({"version": "4", "status": "firing", "alerts": [
                {"status": "firing", "startsAt": 5}]})",
                         0, &n),
            "/alerts/0/startsAt: must be a string");
}

TEST(Webhook, FirstMatchByNameLabelsStatusAndTime) {
  std::vector<Notification> got(3);
  ASSERT_EQ(ParseWebhook(kResolvedTwo, 100, &got[0]), "");
  ASSERT_EQ(ParseWebhook(kFiring, 200, &got[1]), "");
  ASSERT_EQ(ParseWebhook(kFiring, 300, &got[2]), "");
  NotificationQuery q;
  q.labels = {{"alertname", "TelemetryLost"}};
  size_t alert = 9;
  int count = 0;
  EXPECT_EQ(FirstMatch(got, q, &alert, &count), 1);  // firing by default
  EXPECT_EQ(alert, 0u);
  EXPECT_EQ(count, 2);
  q.status = "resolved";
  EXPECT_EQ(FirstMatch(got, q, &alert, &count), 0);
  EXPECT_EQ(alert, 1u);  // the second alert of the first notification
  q.status = "";
  q.not_before_ms = 250;
  EXPECT_EQ(FirstMatch(got, q, &alert, &count), 2);
  EXPECT_EQ(count, 1);
  q.not_before_ms = 0;
  q.not_after_ms = 150;
  EXPECT_EQ(FirstMatch(got, q, &alert, &count), 0);
  q = NotificationQuery{};
  q.labels = {{"alertname", "TelemetryLost"}, {"severity", "ticket"}};
  EXPECT_EQ(FirstMatch(got, q, &alert, &count), -1);
  EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace chaosrun::drivers::telemetry
