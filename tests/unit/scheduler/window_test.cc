// Blackout and only windows: their JSON shape and errors, and how they skip fires.
#include "scheduler/window.h"

#include <gtest/gtest.h>

#include "scheduler/schedule.h"
#include "unit/scheduler/sched_test_util.h"

namespace chaosrun::scheduler {
namespace {

using testing::At;
using testing::Fires;
using testing::Sched;
using V = std::vector<std::string>;

Schedule WithWindows(const std::string& cron, const std::string& windows,
                     const std::string& zone = "UTC") {
  return Sched(R"({"name": "w", "experiment": "e.json", "cron": ")" + cron + R"(", "timezone": ")" +
               zone + "\", " + windows + "}");
}

std::vector<std::string> WindowProblems(const std::string& json) {
  std::vector<Problem> problems;
  Window w;
  bool ok = ParseWindow(Json::parse(json), "/schedules/0/blackouts/1", problems, w);
  EXPECT_EQ(ok, problems.empty());
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(p.pointer + ": " + p.message);
  return out;
}

TEST(WindowParse, Shapes) {
  std::vector<Problem> problems;
  Window w;
  ASSERT_TRUE(ParseWindow(Json::parse(R"({"days": ["sat", "Sunday"]})"), "", problems, w));
  EXPECT_EQ(w.days, 0b1000001);
  EXPECT_EQ(w.from_minute, 0);
  EXPECT_EQ(w.to_minute, 1440);
  ASSERT_TRUE(ParseWindow(Json::parse(R"({"from": "10:00", "to": "16:30"})"), "", problems, w));
  EXPECT_EQ(w.days, 0);
  EXPECT_EQ(w.from_minute, 600);
  EXPECT_EQ(w.to_minute, 990);
  ASSERT_TRUE(ParseWindow(Json::parse(R"({"days": ["mon-fri"], "from": "22:00", "to": "06:00"})"),
                          "", problems, w));
  EXPECT_EQ(w.days, 0b0111110);
  ASSERT_TRUE(ParseWindow(Json::parse(R"({"days": ["fri-mon"]})"), "", problems, w));
  EXPECT_EQ(w.days, 0b1100011);
  ASSERT_TRUE(ParseWindow(Json::parse(R"({"from": "18:00", "to": "24:00"})"), "", problems, w));
  EXPECT_EQ(w.to_minute, 1440);
  EXPECT_TRUE(problems.empty());
}

TEST(WindowParse, ErrorsNameTheField) {
  EXPECT_EQ(WindowProblems(R"({"days": ["sat", "caturday"], "form": "10:00"})"),
            (V{"/schedules/0/blackouts/1/form: unknown key \"form\" (expected days, from, to)",
               "/schedules/0/blackouts/1/days/1: \"caturday\" is not a day (sun, mon, tue, wed, "
               "thu, fri, sat, full names too) or a range of days (mon-fri)"}));
  EXPECT_EQ(WindowProblems(R"({"days": "sat"})"),
            (V{"/schedules/0/blackouts/1/days: expected a non-empty list of days (\"mon\", "
               "\"sat-sun\", ...)"}));
  EXPECT_EQ(WindowProblems(R"({"days": [6]})"),
            (V{"/schedules/0/blackouts/1/days/0: expected a day name such as \"mon\" or a range "
               "\"mon-fri\""}));
  EXPECT_EQ(WindowProblems(R"({"from": "25:00", "to": "9:00"})"),
            (V{"/schedules/0/blackouts/1/from: expected a local time \"HH:MM\" (00:00-23:59)",
               "/schedules/0/blackouts/1/to: expected a local time \"HH:MM\" (00:00-23:59, or "
               "24:00)"}));
  EXPECT_EQ(WindowProblems(R"({"from": "24:00"})"),
            (V{"/schedules/0/blackouts/1/from: expected a local time \"HH:MM\" (00:00-23:59)"}));
  EXPECT_EQ(WindowProblems(R"({"from": "10:00", "to": "10:00"})"),
            (V{"/schedules/0/blackouts/1/to: equals from: the window would be empty"}));
  EXPECT_EQ(WindowProblems(R"({})"),
            (V{"/schedules/0/blackouts/1: a window needs days, from or to"}));
  EXPECT_EQ(WindowProblems(R"([])"),
            (V{"/schedules/0/blackouts/1: expected a window object {\"days\", \"from\", \"to\"}"}));
}

TEST(WindowMatch, CrossingMidnightStartsOnTheListedDay) {
  Window w;
  w.days = 1u << 5;  // Friday 22:00 -> Saturday 06:00
  w.from_minute = 22 * 60;
  w.to_minute = 6 * 60;
  // 2026-01-02 is a Friday.
  EXPECT_FALSE(InWindow(w, cctz::civil_second(2026, 1, 2, 5, 59, 0)));  // Fri early: Thu's
  EXPECT_FALSE(InWindow(w, cctz::civil_second(2026, 1, 2, 21, 59, 59)));
  EXPECT_TRUE(InWindow(w, cctz::civil_second(2026, 1, 2, 22, 0, 0)));
  EXPECT_TRUE(InWindow(w, cctz::civil_second(2026, 1, 3, 5, 59, 59)));  // Sat morning
  EXPECT_FALSE(InWindow(w, cctz::civil_second(2026, 1, 3, 6, 0, 0)));
  EXPECT_FALSE(InWindow(w, cctz::civil_second(2026, 1, 3, 22, 0, 0)));  // Sat not listed
}

TEST(WindowFires, BlackoutWeekendsSkipsNotMoves) {
  // 2026-01-02 is a Friday. Daily at 09:00, never on weekends.
  Schedule s = WithWindows("0 9 * * *", R"("blackouts": [{"days": ["sat", "sun"]}])");
  EXPECT_EQ(Fires(s, At("2026-01-02 10:00"), 2),
            (V{"2026-01-05 09:00:00 +00:00", "2026-01-06 09:00:00 +00:00"}));
  // The skipped fires are not missed ones.
  EXPECT_EQ(CountMissed(s, At("2026-01-01 00:00"), At("2026-01-08 00:00")), 5u);
}

TEST(WindowFires, OnlyWeekdaysTenToFour) {
  Schedule s = WithWindows("*/30 * * * *",
                           R"("only": [{"days": ["mon-fri"], "from": "10:00", "to": "16:00"}])");
  // Friday 15:20: 15:30 fires, 16:00 is outside (the end is exclusive), then Monday 10:00.
  EXPECT_EQ(Fires(s, At("2026-01-02 15:20"), 3),
            (V{"2026-01-02 15:30:00 +00:00", "2026-01-05 10:00:00 +00:00",
               "2026-01-05 10:30:00 +00:00"}));
  // A week: 5 days x 12 fires.
  EXPECT_EQ(CountMissed(s, At("2026-01-04 00:00"), At("2026-01-11 00:00")), 60u);
}

TEST(WindowFires, NightBlackoutCrossingMidnightInAZone) {
  Schedule s = WithWindows(
      "0 * * * *", R"("blackouts": [{"days": ["mon-fri"], "from": "22:00", "to": "06:00"}])",
      "Europe/Berlin");
  // Thursday 2026-01-08 21:30 Berlin: 22:00 .. Fri 05:00 skipped.
  EXPECT_EQ(Fires(s, At("2026-01-08 20:30", "Europe/Berlin"), 3, "Europe/Berlin"),
            (V{"2026-01-08 21:00:00 +01:00", "2026-01-09 06:00:00 +01:00",
               "2026-01-09 07:00:00 +01:00"}));
  // Friday night's occurrence ends Saturday 06:00; Saturday night is not blacked out.
  EXPECT_EQ(Fires(s, At("2026-01-09 21:30", "Europe/Berlin"), 2, "Europe/Berlin"),
            (V{"2026-01-10 06:00:00 +01:00", "2026-01-10 07:00:00 +01:00"}));
  EXPECT_EQ(testing::Local(NextFire(s, At("2026-01-10 21:30", "Europe/Berlin")), "Europe/Berlin"),
            "2026-01-10 22:00:00 +01:00");
}

TEST(WindowFires, EveryWithWindowsAndCountMissed) {
  Schedule s = WithWindows("@every 10m", R"("only": [{"from": "10:00", "to": "11:00"}])");
  EXPECT_EQ(Fires(s, At("2026-01-01 10:45"), 3),
            (V{"2026-01-01 10:50:00 +00:00", "2026-01-02 10:00:00 +00:00",
               "2026-01-02 10:10:00 +00:00"}));
  // 6 a day for 30 days, counted a stretch at a time.
  EXPECT_EQ(CountMissed(s, At("2026-01-01 00:00"), At("2026-01-31 00:00")), 180u);
  // Without windows: arithmetic. 30 days of @every 1s.
  EXPECT_EQ(CountMissed(testing::Cron("@every 1s"), At("2026-01-01 00:00"), At("2026-01-31 00:00")),
            30u * 86400u);
}

TEST(WindowFires, DstInsideAWindow) {
  // Only 01:00-02:00 New York time, every 20 minutes: on the fall-back day that hour happens
  // twice and an every-hour cron fires in both passes.
  Schedule s = WithWindows("*/20 * * * *", R"("only": [{"from": "01:00", "to": "02:00"}])",
                           "America/New_York");
  EXPECT_EQ(CountMissed(s, At("2026-11-01 00:00", "America/New_York"),
                        At("2026-11-01 12:00", "America/New_York")),
            6u);
}

TEST(WindowFires, ShutAllWeekNeverFires) {
  Schedule s;
  s.cron = "* * * * *";
  s.blackouts.push_back(Window{});  // every day, the whole day
  EXPECT_FALSE(NextFire(s, At("2026-01-01 00:00")).has_value());
  EXPECT_EQ(CountMissed(s, At("2026-01-01 00:00"), At("2026-02-01 00:00")), 0u);
}

}  // namespace
}  // namespace chaosrun::scheduler
