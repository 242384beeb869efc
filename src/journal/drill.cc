#include "journal/drill.h"

#include <optional>
#include <string>

#include "report/time_text.h"

namespace chaosrun::journal {

namespace {

const Json* Field(const Json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

std::string Str(const Json* v) {
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

struct AppliedFault {
  std::string id;
  std::string at;  // the apply record's end
};

// The fault a run record applied, if any (and if it is not a notification sink).
std::optional<AppliedFault> FaultOf(const Json& rec) {
  const Json* out = Field(rec, "output");
  std::string id = Str(out != nullptr ? Field(*out, "fault") : nullptr);
  if (id.empty() || Str(Field(rec, "status")) != "succeeded") return std::nullopt;
  const Json* act = Field(rec, "activity");
  const Json* prov = act != nullptr ? Field(*act, "provider") : nullptr;
  if (prov != nullptr && Str(Field(*prov, "driver")) == "telemetry" &&
      Str(Field(*prov, "func")) == "start_notification_sink") {
    return std::nullopt;
  }
  std::string end = Str(Field(rec, "end"));
  if (end.empty()) return std::nullopt;
  return AppliedFault{id, end};
}

// The measure a run record ends, "" if none.
std::string MeasureOf(const Json& rec) {
  const Json* act = Field(rec, "activity");
  const Json* prov = act != nullptr ? Field(*act, "provider") : nullptr;
  const Json* args = prov != nullptr ? Field(*prov, "arguments") : nullptr;
  std::string m = Str(args != nullptr ? Field(*args, "measure") : nullptr);
  if (m == "time_to_detect" || m == "time_to_notify" || m == "time_to_recover") return m;
  return "";
}

// The end of the undo of fault `id` (rollbacks records carry "fault"), "" if not undone.
std::string UndoneAt(const Json& journal, const std::string& id) {
  const Json* rb = Field(journal, "rollbacks");
  if (rb == nullptr || !rb->is_array()) return "";
  for (const Json& r : *rb) {
    if (Str(Field(r, "fault")) == id && Str(Field(r, "status")) == "succeeded") {
      return Str(Field(r, "end"));
    }
  }
  return "";
}

Json Seconds(const std::string& from, const std::string& to) {
  auto a = report::ParseIsoTime(from);
  auto b = report::ParseIsoTime(to);
  if (!a || !b || *b < *a) return nullptr;
  return static_cast<double>(static_cast<int64_t>((*b - *a) * 1e6 + 0.5)) / 1e6;
}

}  // namespace

Json DrillTimes(const Json& journal) {
  try {
    const Json* run = Field(journal, "run");
    if (run == nullptr || !run->is_array()) return nullptr;
    Json drill = {{"time_to_detect", nullptr},           {"time_to_notify", nullptr},
                  {"time_to_recover", nullptr},          {"alert_fired_at", nullptr},
                  {"notification_received_at", nullptr}, {"alert_resolved_at", nullptr}};
    static const std::pair<const char*, const char*> kAt[] = {
        {"time_to_detect", "alert_fired_at"},
        {"time_to_notify", "notification_received_at"},
        {"time_to_recover", "alert_resolved_at"}};
    bool measured = false;
    bool detect_measured = false;
    std::optional<AppliedFault> fault;
    for (const Json& rec : *run) {
      if (auto f = FaultOf(rec)) fault = f;
      std::string m = MeasureOf(rec);
      if (m.empty()) continue;
      measured = true;
      detect_measured = detect_measured || m == "time_to_detect";
      if (!drill[m].is_null()) continue;  // the first measurement of each counts
      const Json* out = Field(rec, "output");
      const Json* held = out != nullptr ? Field(*out, "held") : nullptr;
      if (held != nullptr && !(held->is_boolean() && held->get<bool>())) continue;
      std::string seen = Str(out != nullptr ? Field(*out, "observed_at") : nullptr);
      if (seen.empty() || !fault) continue;
      Json secs;
      if (m == "time_to_recover") {
        std::string undone = UndoneAt(journal, fault->id);
        if (undone.empty()) continue;
        secs = Seconds(undone, seen);
        drill["fault_undone_at"] = undone;
      } else {
        secs = Seconds(fault->at, seen);
      }
      if (secs.is_null()) continue;
      drill[m] = secs;
      for (const auto& [key, at] : kAt) {
        if (m == key) drill[at] = seen;
      }
      drill["fault"] = fault->id;
      drill["fault_applied_at"] = fault->at;
    }
    if (!measured) return nullptr;
    // Nothing detected, nothing to recover from: an alert that never fired "resolves" at once.
    if (detect_measured && drill["time_to_detect"].is_null()) {
      drill["time_to_recover"] = nullptr;
      drill["alert_resolved_at"] = nullptr;
    }
    return drill;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace chaosrun::journal
