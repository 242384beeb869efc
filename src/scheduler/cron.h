// A compiled cron expression: five-field Vixie cron (minute hour day-of-month month
// day-of-week; lists, ranges, steps, names), the @-macros and `@every DURATION`. Plain data,
// about 30 bytes; matching works on civil (local) times, the zone is schedule_time.cc's business.
#pragma once

#include <cctz/civil_time.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace chaosrun::scheduler {

struct CronSpec {
  uint64_t minutes = 0;       // bit m, 0..59
  uint32_t hours = 0;         // bit h, 0..23
  uint32_t days = 0;          // bit d, 1..31
  uint16_t months = 0;        // bit m, 1..12
  uint8_t weekdays = 0;       // bit w, 0 = Sunday .. 6 = Saturday
  bool dom_star = false;      // the day-of-month field starts with '*' (Vixie's day rule)
  bool dow_star = false;      // the day-of-week field starts with '*'
  int64_t every_seconds = 0;  // > 0: `@every`, fixed intervals from the zone's 1970-01-01 00:00

  bool IsEvery() const { return every_seconds > 0; }
  // Every hour of the day matches: such a cron follows the wall clock across DST changes.
  bool EveryHour() const { return hours == 0xFFFFFFu; }
  // Vixie cron: when both day fields are restricted a day matching either one matches;
  // otherwise a day must match both (the '*' one matches every day).
  bool MatchesDay(const cctz::civil_day& d) const;
};

// Parses `text`; an error message says which field and why, e.g.
// "field 2 (hour) value 25 is out of range 0-23". No JSON pointer: the caller adds it.
Result<CronSpec> ParseCron(std::string_view text);

// The first civil minute >= `from` (rounded up to a whole minute) that the five-field spec
// matches, if it is < `limit`. A field-wise search: months, days, hours, minutes skip ahead.
std::optional<cctz::civil_second> NextCivilMatch(const CronSpec& spec, cctz::civil_second from,
                                                 cctz::civil_second limit);

// Parses a duration such as "90s", "5m", "1h30m", "2d" into seconds (> 0).
Result<int64_t> ParseEveryDuration(std::string_view text);

}  // namespace chaosrun::scheduler
