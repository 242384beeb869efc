// What a person sees of the ledger and may do to it by hand: `chaosrun recover --list` (every
// pending fault, its age, driver, action, targets, last undo error and whether its run is still
// alive) and `chaosrun recover --forget ID` (drop one entry repaired by hand, saying who did).
// Nothing here undoes anything.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::ledger {

struct PendingFault {
  std::string id;
  std::string run;
  std::string driver;
  std::string func;  // the action
  std::string activity;
  std::vector<std::string> targets;
  std::optional<double> time;  // unix seconds of the intent
  bool applied = false;
  std::string last_error;  // of the last failed undo ("" = none)
  pid_t runner_pid = 0;    // 0 when the intent does not say
  bool runner_alive = false;
};

// The pending faults of the ledger in `state_dir`, oldest first (none when there is no state
// directory or no ledger). The directory and the ledger are checked (state_dir.h).
Result<std::vector<PendingFault>> ListPending(const std::string& state_dir);

// "45s", "3m12s", "2h05m", "3d04h"; "?" for a negative or unknown age.
std::string HumanAge(std::optional<double> seconds);

// {"state_dir": ..., "pending": [{"id", "run", "driver", "func", "activity", "targets", "time",
// "age_seconds", "age", "applied", "last_undo_error", "runner": {"pid", "alive"}}...]}.
Json PendingJson(const std::string& state_dir, const std::vector<PendingFault>& faults, double now);
// A table with a header line, one line per fault; "no pending fault" when there is none.
std::string PendingTable(const std::vector<PendingFault>& faults, double now);

// Who is acting: {"uid": real uid, "user": its name (or null), "sudo_user": $SUDO_USER or null}.
Json WhoAmI();
// "root (uid 0, via sudo from alice)".
std::string DescribeWho(const Json& by);

// Records that fault `id` was repaired by hand (a "forgotten" record with `by` and `now`), so
// that it is no longer pending, and returns what it was. kNotFound when no pending fault has
// that id.
Result<PendingFault> Forget(const std::string& state_dir, const std::string& id, const Json& by,
                            double now);

// "process.stop on process:sleep/42, activity 'stop-it'".
std::string DescribeFault(const PendingFault& f);

}  // namespace chaosrun::ledger
