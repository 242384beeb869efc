#include "daemon/schedule_state.h"

#include <cmath>

#include "common/log.h"
#include "journal/journal.h"
#include "parse/loader.h"

namespace chaosrun::daemon {
namespace {

Json EpochJson(const std::optional<Clock::WallTime>& t) {
  return t ? Json(EpochSeconds(*t)) : Json(nullptr);
}

std::optional<Clock::WallTime> EpochFrom(const Json& j, const char* key) {
  const Json* v = Member(j, key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  double s = v->get<double>();
  if (!std::isfinite(s) || s < 0) return std::nullopt;
  return Clock::WallTime(
      std::chrono::duration_cast<Clock::WallTime::duration>(std::chrono::duration<double>(s)));
}

uint64_t CountFrom(const Json& j, const char* key) {
  const Json* v = Member(j, key);
  return v != nullptr && v->is_number_unsigned() ? v->get<uint64_t>() : 0;
}

}  // namespace

double EpochSeconds(Clock::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

Json ScheduleStateJson(const ScheduleState& s) {
  return {{"last_fire", EpochJson(s.last_fire)},
          {"last_success", EpochJson(s.last_success)},
          {"last_outcome", s.last_outcome},
          {"last_run_id", s.last_run_id},
          {"fires", s.fires},
          {"skipped", s.skipped},
          {"missed_fires", s.missed_fires},
          {"last_lag_seconds", s.last_lag_seconds},
          {"paused", s.paused ? Json(*s.paused) : Json(nullptr)},
          {"missed_counted_until", EpochJson(s.missed_counted_until)}};
}

ScheduleStates LoadScheduleStates(const std::string& path) {
  ScheduleStates out;
  auto text = parse::ReadFile(path);
  if (!text) return out;
  Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const Json* schedules = Member(doc, "schedules");
  if (schedules == nullptr || !schedules->is_object()) {
    log::Warn("schedule state {} is corrupt: starting with empty schedule state", path);
    return out;
  }
  for (const auto& [name, j] : schedules->items()) {
    if (!j.is_object()) continue;
    ScheduleState s;
    s.last_fire = EpochFrom(j, "last_fire");
    s.last_success = EpochFrom(j, "last_success");
    if (const Json* o = Member(j, "last_outcome"); o != nullptr && o->is_string()) {
      s.last_outcome = o->get<std::string>();
    }
    if (const Json* o = Member(j, "last_run_id"); o != nullptr && o->is_string()) {
      s.last_run_id = o->get<std::string>();
    }
    s.fires = CountFrom(j, "fires");
    s.skipped = CountFrom(j, "skipped");
    s.missed_fires = CountFrom(j, "missed_fires");
    s.missed_counted_until = EpochFrom(j, "missed_counted_until");
    if (const Json* l = Member(j, "last_lag_seconds"); l != nullptr && l->is_number()) {
      s.last_lag_seconds = l->get<double>();
    }
    if (const Json* p = Member(j, "paused"); p != nullptr && p->is_boolean()) {
      s.paused = p->get<bool>();
    }
    out[name] = s;
  }
  return out;
}

Status SaveScheduleStates(const std::string& path, const ScheduleStates& states) {
  Json schedules = Json::object();
  for (const auto& [name, s] : states) schedules[name] = ScheduleStateJson(s);
  return journal::WriteJournal(path, Json{{"version", 1}, {"schedules", schedules}});
}

}  // namespace chaosrun::daemon
