#include "common/clock.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

namespace chaosrun {

namespace {
class RealClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  bool SleepUntil(SteadyTime deadline, const CancelToken& cancel) override {
    if (cancel.cancelled()) return false;
    return !cancel.WaitUntil(deadline);
  }
};
}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

Clock::Duration SecondsToDuration(double seconds) {
  if (!(seconds > 0) || std::isnan(seconds)) return Clock::Duration::zero();
  // Clamp absurd values (a pause of 1e300 s) to ~100 years rather than overflowing.
  constexpr double kMax = 100.0 * 365 * 24 * 3600;
  if (seconds > kMax) seconds = kMax;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(seconds));
}

double DurationToSeconds(Clock::Duration d) { return std::chrono::duration<double>(d).count(); }

std::string IsoTimestamp(Clock::WallTime t) {
  auto us = std::chrono::time_point_cast<std::chrono::microseconds>(t);
  std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(us));
  if (std::chrono::system_clock::from_time_t(secs) > us) --secs;
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    us - std::chrono::system_clock::from_time_t(secs))
                    .count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

}  // namespace chaosrun
