#include "scheduler/schedule.h"

#include <cctype>

#include "scheduler/compiled.h"

namespace chaosrun::scheduler {

const char* ConcurrencyName(Concurrency c) {
  switch (c) {
    case Concurrency::kForbid:
      return "forbid";
    case Concurrency::kAllow:
      return "allow";
    case Concurrency::kReplace:
      return "replace";
  }
  return "forbid";
}

Result<cctz::time_zone> LoadZone(const std::string& name) {
  bool ok =
      !name.empty() && name.size() <= 128 && std::isalpha(static_cast<unsigned char>(name[0]));
  size_t part_start = 0;
  for (size_t i = 0; ok && i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      std::string_view part(name.data() + part_start, i - part_start);
      ok = !part.empty() && part != "." && part != "..";
      part_start = i + 1;
      continue;
    }
    char c = name[i];
    ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
  }
  if (!ok) {
    return Err(Status::InvalidArgument("\"" + name +
                                       "\" is not an IANA time zone name (e.g. Europe/Berlin)"));
  }
  cctz::time_zone tz;
  if (!cctz::load_time_zone(name, &tz)) {
    return Err(Status::InvalidArgument("unknown time zone \"" + name +
                                       "\" (not in the zone database, e.g. Europe/Berlin)"));
  }
  return tz;
}

CompiledSchedule MakeCompiled(const CronSpec& cron, const cctz::time_zone& zone) {
  CompiledSchedule c;
  c.cron = cron;
  c.zone = zone;
  c.every_anchor =
      cctz::convert(cctz::civil_second(1970, 1, 1, 0, 0, 0), zone).time_since_epoch().count();
  return c;
}

Result<CompiledSchedule> CompileParts(const std::string& cron, const std::string& timezone) {
  auto spec = ParseCron(cron);
  if (!spec) return Err(Status::InvalidArgument("cron: " + spec.error().message()));
  auto zone = LoadZone(timezone);
  if (!zone) return Err(Status::InvalidArgument("timezone: " + zone.error().message()));
  return MakeCompiled(*spec, *zone);
}

Status Compile(Schedule& s) {
  auto c = CompileParts(s.cron, s.timezone);
  if (!c) return c.error();
  s.compiled = std::make_shared<const CompiledSchedule>(std::move(*c));
  return Status::Ok();
}

}  // namespace chaosrun::scheduler
