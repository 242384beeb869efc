#include "scheduler/schedule.h"

namespace chaosrun::scheduler {

// Stub: the implementation is being written (issue 13).
Result<Schedule> ParseSchedule(const Json& value, const std::string& pointer,
                               std::vector<Problem>& problems) {
  Schedule s;
  s.raw = value;
  problems.push_back({pointer, "schedules are not implemented yet"});
  return Err(Status::Unsupported(pointer + ": schedules are not implemented yet"));
}

Status Compile(Schedule&) { return Status::Unsupported("schedules are not implemented yet"); }

std::optional<WallTime> NextFire(const Schedule&, WallTime) { return std::nullopt; }
std::optional<WallTime> NextNominalFire(const Schedule&, WallTime) { return std::nullopt; }
size_t CountMissed(const Schedule&, WallTime, WallTime) { return 0; }

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

}  // namespace chaosrun::scheduler
