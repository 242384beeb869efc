// Helpers for the scheduler tests: schedules from JSON text, and explicit times written as local
// civil times in a zone ("2026-03-08 02:30" in America/New_York). No test reads the real clock.
#pragma once

#include <cctz/time_zone.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/schedule.h"

namespace chaosrun::scheduler::testing {

inline cctz::time_zone Zone(const std::string& name) {
  cctz::time_zone tz;
  EXPECT_TRUE(cctz::load_time_zone(name, &tz)) << name;
  return tz;
}

// "YYYY-MM-DD HH:MM[:SS]" in `zone` -> the instant. `second_pass` picks the later instant of a
// repeated (fall-back) civil time.
inline WallTime At(const std::string& civil, const std::string& zone = "UTC",
                   bool second_pass = false) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int n = std::sscanf(civil.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  EXPECT_GE(n, 5) << civil;
  auto lookup = Zone(zone).lookup(cctz::civil_second(y, mo, d, h, mi, s));
  auto tp = second_pass ? lookup.post : lookup.pre;
  return WallTime(tp.time_since_epoch());
}

// The instant as "YYYY-MM-DD HH:MM:SS +hh:mm" in `zone` (offset shows which pass).
inline std::string Local(WallTime t, const std::string& zone = "UTC") {
  return cctz::format("%Y-%m-%d %H:%M:%S %Ez", t, Zone(zone));
}
inline std::string Local(const std::optional<WallTime>& t, const std::string& zone = "UTC") {
  return t ? Local(*t, zone) : std::string("none");
}

// A schedule parsed from a JSON object; fails the test on a problem.
inline Schedule Sched(const std::string& json) {
  std::vector<Problem> problems;
  auto s = ParseSchedule(Json::parse(json), "/schedules/0", problems);
  EXPECT_TRUE(s.has_value()) << (problems.empty()
                                     ? ""
                                     : problems[0].pointer + ": " + problems[0].message);
  return s ? *s : Schedule{};
}

inline Schedule Cron(const std::string& cron, const std::string& zone = "UTC") {
  return Sched(R"({"name": "t", "experiment": "e.json", "cron": ")" + cron + R"(", "timezone": ")" +
               zone + "\"}");
}

// The first `count` fires after `from`, each as Local() in `zone`.
inline std::vector<std::string> Fires(const Schedule& s, WallTime from, int count,
                                      const std::string& zone = "UTC") {
  std::vector<std::string> out;
  std::optional<WallTime> t = from;
  for (int i = 0; i < count && t; ++i) {
    t = NextFire(s, *t);
    out.push_back(Local(t, zone));
  }
  return out;
}

// The problems ParseSchedule reports for `json`, as "pointer: message".
inline std::vector<std::string> ProblemsOf(const std::string& json) {
  std::vector<Problem> problems;
  auto s = ParseSchedule(Json::parse(json), "/schedules/2", problems);
  EXPECT_EQ(s.has_value(), problems.empty());
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(p.pointer + ": " + p.message);
  return out;
}

}  // namespace chaosrun::scheduler::testing
