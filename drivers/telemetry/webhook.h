// Alertmanager's webhook payload (version 4) as the notification sink records it. Pure; for the
// sink (sink.cc) and its tests.
//   {"version": "4", "groupKey": "...", "status": "firing"|"resolved", "receiver": "...",
//    "alerts": [{"status", "labels", "annotations", "startsAt", "endsAt", "fingerprint"}], ...}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chaosrun::drivers::telemetry {

struct WebhookAlert {
  std::string status;  // "firing" or "resolved"
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();
  std::string starts_at, ends_at, fingerprint;
};

struct Notification {
  int64_t arrival_ms = 0;  // Unix ms, when the sink received it
  std::string status;      // the group's: "firing" or "resolved"
  std::string receiver, group_key;
  std::vector<WebhookAlert> alerts;
};

// Parses one POSTed body. Returns "" or an error naming the JSON pointer and the reason
// ("/alerts/0/labels/severity: must be a string"). Unknown members are ignored.
std::string ParseWebhook(const std::string& body, int64_t arrival_ms, Notification* out);

// What a notification_received probe looks for: alertname (optional), labels every alert must
// carry, the alert's status ("firing" by default, "resolved", or "" for either).
struct NotificationQuery {
  nlohmann::json labels = nlohmann::json::object();  // alertname included
  std::string status = "firing";
  int64_t not_before_ms = 0;  // only notifications that arrived at or after it
  int64_t not_after_ms = 0;   // 0: no limit
};

// The first notification (in arrival order) with an alert that matches, and that alert; -1 if
// none. `count` gets the number of matching notifications.
int FirstMatch(const std::vector<Notification>& got, const NotificationQuery& q, size_t* alert,
               int* count);

// A notification as the probe reports it (one alert of it).
nlohmann::json NotificationJson(const Notification& n, const WebhookAlert& a);

}  // namespace chaosrun::drivers::telemetry
