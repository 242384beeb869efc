// What the daemon remembers of each schedule across restarts: <state_dir>/schedules.json,
// rewritten atomically (journal::WriteJournal) whenever a schedule fires or a run of it ends.
// Entries are kept by schedule name, so a schedule removed from the configuration and added back
// finds its history; the file holds only times, counts and outcomes.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace chaosrun::daemon {

struct ScheduleState {
  std::optional<Clock::WallTime> last_fire;     // the last fire handled (run, skipped or not)
  std::optional<Clock::WallTime> last_success;  // the end of the last completed, non-deviated run
  std::string last_outcome;  // a journal status, "skipped", "halted", "refused", ...; "" = none
  std::string last_run_id;
  uint64_t fires = 0;           // fires that started a run
  uint64_t skipped = 0;         // fires skipped (forbid while running, halted, queue full)
  uint64_t missed_fires = 0;    // fires due while the daemon was down (never replayed)
  double last_lag_seconds = 0;  // how late the last fire started after its planned time
  std::optional<bool> paused;   // set through the API (PATCH); overrides the configuration's
  // How far the daemon has accounted for this schedule's fires (fired, skipped, paused or counted
  // missed): a restart counts missed fires only after max(last_fire, this), so it never counts
  // the same fires twice, nor those due while the schedule was paused.
  std::optional<Clock::WallTime> missed_counted_until;
};

using ScheduleStates = std::map<std::string, ScheduleState>;

// Reads the file; an absent file is empty state, a corrupt one is logged and treated as empty.
ScheduleStates LoadScheduleStates(const std::string& path);
Status SaveScheduleStates(const std::string& path, const ScheduleStates& states);

Json ScheduleStateJson(const ScheduleState& s);
// Seconds since the epoch, as a double.
double EpochSeconds(Clock::WallTime t);

}  // namespace chaosrun::daemon
