// The compiled part of a Schedule (schedule.h): the parsed cron and the loaded zone. Immutable;
// shared between copies of a Schedule. Windows, jitter and the name are read from the Schedule.
#pragma once

#include <cctz/time_zone.h>

#include <cstdint>
#include <string>

#include "common/status.h"
#include "scheduler/cron.h"

namespace chaosrun::scheduler {

struct CompiledSchedule {
  CronSpec cron;
  cctz::time_zone zone;
  int64_t every_anchor = 0;  // @every: Unix seconds of 1970-01-01 00:00:00 in `zone`
};

// Loads an IANA zone ("Europe/Berlin", "UTC"). Names are checked before the zone database is
// read (letters, digits, '_', '-', '+', '/' between parts; no "." or ".." part, not absolute):
// a schedule can never make the daemon read a file outside it.
Result<cctz::time_zone> LoadZone(const std::string& name);

// The compiled form of a parsed cron in a loaded zone.
CompiledSchedule MakeCompiled(const CronSpec& cron, const cctz::time_zone& zone);

// Compiles cron + zone; an error message starts with the field ("cron: ...", "timezone: ...").
Result<CompiledSchedule> CompileParts(const std::string& cron, const std::string& timezone);

}  // namespace chaosrun::scheduler
