// Clock: the one seam for time. The engine reads time and sleeps (pauses, hypothesis frequency)
// only through a Clock, so tests inject a FakeClock (tests/support/fake_clock.h) and never wait
// for real time. Implementations must be thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "common/cancel.h"

namespace chaosrun {

class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
  // Sleeps until `deadline` unless `cancel` fires first. Returns false when cancelled.
  virtual bool SleepUntil(SteadyTime deadline, const CancelToken& cancel) = 0;

  bool SleepFor(Duration d, const CancelToken& cancel) { return SleepUntil(Now() + d, cancel); }
};

// The real clock (steady + system).
Clock& SystemClock();

// Seconds as a double <-> steady durations.
Clock::Duration SecondsToDuration(double seconds);
double DurationToSeconds(Clock::Duration d);

// "2026-11-27T17:21:19.789216+00:00": UTC, microseconds, explicit offset (the journal format).
std::string IsoTimestamp(Clock::WallTime t);

}  // namespace chaosrun
