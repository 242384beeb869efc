#include "telemetry/webhook.h"

#include "telemetry/alerts.h"
#include "telemetry/args.h"

namespace chaosrun::drivers::telemetry {

namespace {

std::string StringMember(const json& o, const char* key, const std::string& at, bool required,
                         std::string* out) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    return required ? at + "/" + key + ": missing" : "";
  }
  if (!it->is_string()) return at + "/" + key + ": must be a string";
  *out = it->get<std::string>();
  return "";
}

std::string StringMap(const json& o, const char* key, const std::string& at, json* out) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return "";
  if (!it->is_object()) return at + "/" + key + ": must be an object";
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return at + "/" + key + "/" + k + ": must be a string";
  }
  *out = *it;
  return "";
}

std::string Status(const json& o, const std::string& at, std::string* out) {
  if (std::string e = StringMember(o, "status", at, true, out); !e.empty()) return e;
  if (*out != "firing" && *out != "resolved") {
    return at + "/status: must be \"firing\" or \"resolved\", not \"" + *out + "\"";
  }
  return "";
}

}  // namespace

std::string ParseWebhook(const std::string& body, int64_t arrival_ms, Notification* out) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "the body is not JSON";
  if (!j.is_object()) return "/: must be an object (Alertmanager's webhook payload)";
  Notification n;
  n.arrival_ms = arrival_ms;
  std::string version;
  if (std::string e = StringMember(j, "version", "", true, &version); !e.empty()) return e;
  if (version != "4") return "/version: \"" + version + "\" is not the supported version \"4\"";
  if (std::string e = Status(j, "", &n.status); !e.empty()) return e;
  if (std::string e = StringMember(j, "receiver", "", false, &n.receiver); !e.empty()) return e;
  if (std::string e = StringMember(j, "groupKey", "", false, &n.group_key); !e.empty()) return e;
  auto alerts = j.find("alerts");
  if (alerts == j.end() || !alerts->is_array()) return "/alerts: must be a list";
  for (size_t i = 0; i < alerts->size(); ++i) {
    const json& a = (*alerts)[i];
    const std::string at = "/alerts/" + std::to_string(i);
    if (!a.is_object()) return at + ": must be an object";
    WebhookAlert w;
    if (std::string e = Status(a, at, &w.status); !e.empty()) return e;
    if (std::string e = StringMap(a, "labels", at, &w.labels); !e.empty()) return e;
    if (std::string e = StringMap(a, "annotations", at, &w.annotations); !e.empty()) return e;
    if (std::string e = StringMember(a, "startsAt", at, false, &w.starts_at); !e.empty()) return e;
    if (std::string e = StringMember(a, "endsAt", at, false, &w.ends_at); !e.empty()) return e;
    if (std::string e = StringMember(a, "fingerprint", at, false, &w.fingerprint); !e.empty()) {
      return e;
    }
    n.alerts.push_back(std::move(w));
  }
  *out = std::move(n);
  return "";
}

int FirstMatch(const std::vector<Notification>& got, const NotificationQuery& q, size_t* alert,
               int* count) {
  int first = -1;
  *count = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const Notification& n = got[i];
    if (n.arrival_ms < q.not_before_ms) continue;
    if (q.not_after_ms > 0 && n.arrival_ms > q.not_after_ms) continue;
    for (size_t k = 0; k < n.alerts.size(); ++k) {
      const WebhookAlert& a = n.alerts[k];
      if (!q.status.empty() && a.status != q.status) continue;
      if (!LabelsInclude(a.labels, q.labels)) continue;
      ++*count;
      if (first < 0) {
        first = static_cast<int>(i);
        *alert = k;
      }
      break;
    }
  }
  return first;
}

json NotificationJson(const Notification& n, const WebhookAlert& a) {
  return json{{"received_at", IsoFromUnixMs(n.arrival_ms)},
              {"status", a.status},
              {"labels", a.labels},
              {"annotations", a.annotations},
              {"startsAt", a.starts_at},
              {"endsAt", a.ends_at},
              {"receiver", n.receiver},
              {"group_status", n.status}};
}

}  // namespace chaosrun::drivers::telemetry
