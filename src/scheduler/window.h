// Blackout and "only" windows of a schedule (schedule.h's Window): their JSON shape, and the
// civil-time tests NextFire needs. The JSON shape (docs/scheduling.md):
//   {"days": ["sat", "sun"]}                                 whole days
//   {"from": "10:00", "to": "16:00"}                         every day
//   {"days": ["mon-fri"], "from": "22:00", "to": "06:00"}    crosses midnight: an occurrence
//                                                            starts on a listed day, ends the next
#pragma once

#include <cctz/civil_time.h>

#include <string>
#include <vector>

#include "common/json.h"
#include "scheduler/schedule.h"

namespace chaosrun::scheduler {

// Parses one window object at `pointer`; problems are appended (each naming its field).
// Returns false when it added any.
bool ParseWindow(const Json& value, const std::string& pointer, std::vector<Problem>& problems,
                 Window& out);

// Whether civil time `t` lies inside an occurrence of `w`.
bool InWindow(const Window& w, const cctz::civil_second& t);

// Whether a fire at civil time `t` may happen: in no blackout, and in an `only` window if any.
bool WindowsAllow(const std::vector<Window>& blackouts, const std::vector<Window>& only,
                  const cctz::civil_second& t);

// The first civil time > `t` at which WindowsAllow can change its answer: the next start or end
// of a window's day or time range (at most the next midnight).
cctz::civil_second NextWindowBoundary(const std::vector<Window>& blackouts,
                                      const std::vector<Window>& only, const cctz::civil_second& t);

}  // namespace chaosrun::scheduler
