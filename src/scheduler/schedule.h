// Schedules: when chaosrund fires an experiment. A Schedule is plain data parsed once from the
// daemon's configuration (ParseSchedule); NextFire and CountMissed are pure functions of the
// schedule and the time passed in (no clock is read here), so the daemon's scheduling thread and
// the tests call them with any time they like. The reference is docs/scheduling.md.
//
// Ownership and threads: a Schedule is a value; its compiled form is immutable and shared
// between copies (shared_ptr<const>), so copies are cheap and every function here may be called
// from any thread at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "subst/configuration.h"

namespace chaosrun::scheduler {

using WallTime = std::chrono::system_clock::time_point;

// What to do when a fire comes while the schedule's previous run is still going:
// forbid = skip this fire; allow = run both; replace = interrupt the old run, start the new one.
enum class Concurrency { kForbid, kAllow, kReplace };

// A blackout (or "only") window, in the schedule's zone. An occurrence starts on each listed
// weekday (`days` empty = every day) at `from_minute` and ends at `to_minute` (minutes since
// local midnight); to <= from crosses midnight and ends on the next day. from 0 / to 1440 is the
// whole day. A time is inside the window when it lies in [start, end) of some occurrence.
struct Window {
  uint8_t days = 0;         // bit d = weekday d, 0 = Sunday ... 6 = Saturday; 0 = every day
  int from_minute = 0;      // 0..1439
  int to_minute = 24 * 60;  // 1..1440; 1440 = midnight at the end of the day
};

struct CompiledSchedule;  // the parsed cron, the zone and the windows (schedule_compiled.h)

struct Schedule {
  std::string name;
  std::string experiment;         // a name in the experiments directory
  std::string cron;               // "*/5 * * * *", "@hourly", "@daily", "@weekly", "@every 90s"
  std::string timezone = "UTC";   // IANA name
  double jitter_seconds = 0;      // each fire is delayed by [0, jitter) seconds, deterministic
                                  // per (name, nominal time)
  std::vector<Window> blackouts;  // fires falling inside one are skipped (not moved), counted
                                  // as "skipped" not "missed"
  std::vector<Window> only;       // if non-empty, fires only inside one of these
  Concurrency concurrency = Concurrency::kForbid;
  size_t history_limit = 50;  // journals kept for this schedule
  bool paused = false;
  subst::Overrides vars;        // per-schedule --var overrides (src/subst/configuration.h)
  double deadline_seconds = 0;  // per-run deadline (0 = the daemon's run limit)
  std::string webhook;          // "" = none; the daemon POSTs the run summary there
  std::string description;      // free text, shown by the API
  Json raw;                     // the schedule object as configured

  // Filled by ParseSchedule (and Compile); null = compiled on each call from the fields above.
  // Edit cron/timezone/jitter/windows by hand? Call Compile again.
  std::shared_ptr<const CompiledSchedule> compiled;
};

// One problem in a schedule object: the JSON pointer of the field and why.
struct Problem {
  std::string pointer;
  std::string message;
};

// Parses one schedule object at `pointer` ("/schedules/2"); every problem is appended to
// `problems` (so the daemon reports all at once). Returns an error iff problems were added.
Result<Schedule> ParseSchedule(const Json& value, const std::string& pointer,
                               std::vector<Problem>& problems);

// (Re)compiles `s.compiled` from its fields; an error names the field ("cron: ...").
Status Compile(Schedule& s);

// The next fire strictly after `after`, honouring the zone (DST), blackouts, `only`, and jitter.
// nullopt if there is none within the horizon (kHorizonYears; long enough for every Feb 29) or
// the schedule does not compile. With jitter, the fire of a nominal time just before `after` may
// be the answer (its delay carries it past `after`). A few microseconds: a field-wise search.
std::optional<WallTime> NextFire(const Schedule& s, WallTime after);

// The next nominal (unjittered) fire strictly after `after` that the windows allow: the time a
// fire returned by NextFire was due before its jitter (for the daemon's lag metric).
std::optional<WallTime> NextNominalFire(const Schedule& s, WallTime after);

// The fires due in (from, to] that were not fired (the daemon was down, or its loop was late):
// their count, never replayed. A fire's time is its jittered one, so CountMissed(last fire, now)
// never counts the fire NextFire(now) returns. Fires inside a blackout (or outside every `only`
// window) are not counted. A cron schedule counts at most 100,000 (then stops); @every counts
// exactly.
size_t CountMissed(const Schedule& s, WallTime from, WallTime to);

inline constexpr int kHorizonYears = 10;

// "forbid" | "allow" | "replace".
const char* ConcurrencyName(Concurrency c);

}  // namespace chaosrun::scheduler
