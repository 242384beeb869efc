// Five-field cron, macros and @every in UTC: what matches, and every parse error's wording.
#include "scheduler/cron.h"

#include <gtest/gtest.h>

#include "scheduler/compiled.h"
#include "scheduler/schedule.h"
#include "unit/scheduler/sched_test_util.h"

namespace chaosrun::scheduler {
namespace {

using testing::At;
using testing::Cron;
using testing::Fires;

std::string CronError(const std::string& text) {
  auto r = ParseCron(text);
  EXPECT_FALSE(r.has_value()) << text;
  return r ? "" : r.error().message();
}

TEST(CronParse, FieldsListsRangesSteps) {
  auto c = ParseCron("0,15,30 */6 1-5 * 10-40/10");
  ASSERT_FALSE(c.has_value());  // day-of-week 10 is out of range
  c = ParseCron("0,15,30 */6 10-20/5 * *");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->minutes, (1ull << 0) | (1ull << 15) | (1ull << 30));
  EXPECT_EQ(c->hours, (1u << 0) | (1u << 6) | (1u << 12) | (1u << 18));
  EXPECT_EQ(c->days, (1u << 10) | (1u << 15) | (1u << 20));
  EXPECT_EQ(c->months, 0x1FFE);
  EXPECT_EQ(c->weekdays, 0x7F);
  EXPECT_TRUE(c->dom_star == false && c->dow_star == true);
  c = ParseCron("10-40/10 * * * *");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->minutes, (1ull << 10) | (1ull << 20) | (1ull << 30) | (1ull << 40));
}

TEST(CronParse, NamesAreCaseInsensitiveAndSevenIsSunday) {
  auto a = ParseCron("0 0 * jan,Mar,DEC sun");
  auto b = ParseCron("0 0 * 1,3,12 7");
  auto c = ParseCron("0 0 * 1,3,12 0");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->months, (1u << 1) | (1u << 3) | (1u << 12));
  EXPECT_EQ(a->weekdays, 1u);
  EXPECT_EQ(b->weekdays, 1u);
  EXPECT_EQ(c->weekdays, 1u);
  auto r = ParseCron("0 0 * * Mon-Fri");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->weekdays, 0b0111110);
  r = ParseCron("0 0 * * 5-7");  // Friday, Saturday, Sunday
  ASSERT_TRUE(r);
  EXPECT_EQ(r->weekdays, 0b1100001);
}

TEST(CronParse, Macros) {
  struct Case {
    const char* macro;
    const char* same_as;
  } cases[] = {{"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
               {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
               {"@hourly", "0 * * * *"}, {"@HOURLY", "0 * * * *"}};
  for (const Case& c : cases) {
    auto a = ParseCron(c.macro);
    auto b = ParseCron(c.same_as);
    ASSERT_TRUE(a && b) << c.macro;
    EXPECT_EQ(a->minutes, b->minutes) << c.macro;
    EXPECT_EQ(a->hours, b->hours) << c.macro;
    EXPECT_EQ(a->days, b->days) << c.macro;
    EXPECT_EQ(a->months, b->months) << c.macro;
    EXPECT_EQ(a->weekdays, b->weekdays) << c.macro;
  }
}

TEST(CronParse, EveryDurations) {
  EXPECT_EQ(ParseCron("@every 90s")->every_seconds, 90);
  EXPECT_EQ(ParseCron("@every 5m")->every_seconds, 300);
  EXPECT_EQ(ParseCron("@every 1h30m")->every_seconds, 5400);
  EXPECT_EQ(ParseCron("@every 1d2h3m4s")->every_seconds, 86400 + 7200 + 180 + 4);
  EXPECT_EQ(CronError("@every"), "@every takes one duration, e.g. @every 1h30m");
  EXPECT_EQ(CronError("@every 0s"), "@every duration must be at least 1s");
  EXPECT_EQ(CronError("@every 90"),
            "@every duration \"90\" is not NUMBER+UNIT[...] (units d, h, m, s)");
  EXPECT_EQ(CronError("@every 5w"),
            "@every duration \"5w\" has an unknown unit 'w' (units d, h, m, s)");
  EXPECT_EQ(CronError("@every 400d"), "@every duration must be at most 366d");
}

TEST(CronParse, ErrorsNameTheFieldAndTheReason) {
  EXPECT_EQ(CronError("0 25 * * *"), "field 2 (hour) value 25 is out of range 0-23");
  EXPECT_EQ(CronError("60 * * * *"), "field 1 (minute) value 60 is out of range 0-59");
  EXPECT_EQ(CronError("* * 0 * *"), "field 3 (day-of-month) value 0 is out of range 1-31");
  EXPECT_EQ(CronError("* * * 13 *"), "field 4 (month) value 13 is out of range 1-12");
  EXPECT_EQ(CronError("* * * * 8"), "field 5 (day-of-week) value 8 is out of range 0-7");
  EXPECT_EQ(CronError("* * * FOO *"),
            "field 4 (month) \"FOO\" is not a number or a month name (JAN-DEC)");
  EXPECT_EQ(CronError("* * * * funday"),
            "field 5 (day-of-week) \"funday\" is not a number or a day name (SUN-SAT)");
  EXPECT_EQ(CronError("x * * * *"), "field 1 (minute) \"x\" is not a number");
  EXPECT_EQ(CronError("1x * * * *"), "field 1 (minute) \"1x\" is not a number");
  EXPECT_EQ(CronError("*/0 * * * *"), "field 1 (minute) step 0 must be at least 1");
  EXPECT_EQ(CronError("*/x * * * *"), "field 1 (minute) step \"x\" is not a number");
  EXPECT_EQ(CronError("5/10 * * * *"),
            "field 1 (minute) step in \"5/10\" needs a range or * before it");
  EXPECT_EQ(CronError("* * 20-10 * *"),
            "field 3 (day-of-month) range 20-10 is backwards (write it as a list)");
  EXPECT_EQ(CronError("1,,2 * * * *"), "field 1 (minute) has an empty list item");
  EXPECT_EQ(CronError("* * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  EXPECT_EQ(CronError("* * * * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week), got 6");
  EXPECT_EQ(CronError("   "), "is empty");
  EXPECT_EQ(CronError("@reboot"),
            "unknown macro \"@reboot\" (expected @yearly, @annually, @monthly, @weekly, @daily, "
            "@midnight, @hourly or @every DURATION)");
  EXPECT_EQ(CronError("@daily 5"), "@daily takes no fields after it");
  EXPECT_EQ(CronError("-1 * * * *"), "field 1 (minute) \"-1\" is not a number");
}

TEST(CronNext, StepsListsAndRanges) {
  EXPECT_EQ(Fires(Cron("*/15 * * * *"), At("2026-01-01 10:07"), 3),
            (std::vector<std::string>{"2026-01-01 10:15:00 +00:00", "2026-01-01 10:30:00 +00:00",
                                      "2026-01-01 10:45:00 +00:00"}));
  EXPECT_EQ(Fires(Cron("10-40/10 9,17 * * *"), At("2026-01-01 09:35"), 3),
            (std::vector<std::string>{"2026-01-01 09:40:00 +00:00", "2026-01-01 17:10:00 +00:00",
                                      "2026-01-01 17:20:00 +00:00"}));
  // Strictly after: a fire exactly at `after` is not the next one.
  EXPECT_EQ(Fires(Cron("0 12 * * *"), At("2026-01-01 12:00"), 1),
            (std::vector<std::string>{"2026-01-02 12:00:00 +00:00"}));
  // Sub-second `after` just before a fire.
  EXPECT_EQ(testing::Local(NextFire(Cron("0 12 * * *"),
                                    At("2026-01-01 11:59:59") + std::chrono::milliseconds(999))),
            "2026-01-01 12:00:00 +00:00");
}

TEST(CronNext, WeekdaysNamesAndSunday) {
  // 2026-01-01 is a Thursday.
  EXPECT_EQ(Fires(Cron("30 8 * * MON-FRI"), At("2026-01-01 09:00"), 3),
            (std::vector<std::string>{"2026-01-02 08:30:00 +00:00", "2026-01-05 08:30:00 +00:00",
                                      "2026-01-06 08:30:00 +00:00"}));
  EXPECT_EQ(Fires(Cron("0 0 * * 7"), At("2026-01-01 00:00"), 2),
            (std::vector<std::string>{"2026-01-04 00:00:00 +00:00", "2026-01-11 00:00:00 +00:00"}));
  EXPECT_EQ(Fires(Cron("0 0 * FEB sat"), At("2026-01-01 00:00"), 2),
            (std::vector<std::string>{"2026-02-07 00:00:00 +00:00", "2026-02-14 00:00:00 +00:00"}));
}

TEST(CronNext, BothDayFieldsRestrictedMeansEither) {
  // Vixie: the 13th of the month OR any Friday.
  EXPECT_EQ(Fires(Cron("0 0 13 * FRI"), At("2026-01-01 00:00"), 4),
            (std::vector<std::string>{"2026-01-02 00:00:00 +00:00", "2026-01-09 00:00:00 +00:00",
                                      "2026-01-13 00:00:00 +00:00", "2026-01-16 00:00:00 +00:00"}));
  // With one field '*', both must hold: Fridays only ("*/1" starts with '*' too).
  EXPECT_EQ(Fires(Cron("0 0 */1 * FRI"), At("2026-01-01 00:00"), 2),
            (std::vector<std::string>{"2026-01-02 00:00:00 +00:00", "2026-01-09 00:00:00 +00:00"}));
  // The 13th that is a Friday: not expressible by either rule alone; "* 13 FRI" is "13 or Fri".
  EXPECT_EQ(Fires(Cron("0 0 1-7 * MON"), At("2026-01-01 00:00"), 3),
            (std::vector<std::string>{"2026-01-02 00:00:00 +00:00", "2026-01-03 00:00:00 +00:00",
                                      "2026-01-04 00:00:00 +00:00"}));
}

TEST(CronNext, Macros) {
  WallTime t = At("2026-05-17 13:45");  // a Sunday
  EXPECT_EQ(testing::Local(NextFire(Cron("@hourly"), t)), "2026-05-17 14:00:00 +00:00");
  EXPECT_EQ(testing::Local(NextFire(Cron("@daily"), t)), "2026-05-18 00:00:00 +00:00");
  EXPECT_EQ(testing::Local(NextFire(Cron("@midnight"), t)), "2026-05-18 00:00:00 +00:00");
  EXPECT_EQ(testing::Local(NextFire(Cron("@weekly"), t)), "2026-05-24 00:00:00 +00:00");
  EXPECT_EQ(testing::Local(NextFire(Cron("@monthly"), t)), "2026-06-01 00:00:00 +00:00");
  EXPECT_EQ(testing::Local(NextFire(Cron("@yearly"), t)), "2027-01-01 00:00:00 +00:00");
}

TEST(CronNext, MonthEndsSkipShortMonths) {
  EXPECT_EQ(Fires(Cron("0 0 31 * *"), At("2026-01-31 00:00"), 4),
            (std::vector<std::string>{"2026-03-31 00:00:00 +00:00", "2026-05-31 00:00:00 +00:00",
                                      "2026-07-31 00:00:00 +00:00", "2026-08-31 00:00:00 +00:00"}));
  EXPECT_EQ(Fires(Cron("0 0 30 * *"), At("2026-01-30 00:00"), 2),
            (std::vector<std::string>{"2026-03-30 00:00:00 +00:00", "2026-04-30 00:00:00 +00:00"}));
}

TEST(CronNext, LeapDays) {
  EXPECT_EQ(Fires(Cron("0 0 29 2 *"), At("2025-03-01 00:00"), 3),
            (std::vector<std::string>{"2028-02-29 00:00:00 +00:00", "2032-02-29 00:00:00 +00:00",
                                      "2036-02-29 00:00:00 +00:00"}));
  // 2100 is not a leap year: eight years from 2096 to 2104, still inside the horizon.
  EXPECT_EQ(testing::Local(NextFire(Cron("0 0 29 2 *"), At("2096-03-01 00:00"))),
            "2104-02-29 00:00:00 +00:00");
  // A date that never comes: no fire (and ParseSchedule refuses it, see parse_schedule_test).
  Schedule never;
  never.cron = "0 0 30 2 *";
  EXPECT_FALSE(NextFire(never, At("2026-01-01 00:00")).has_value());
}

TEST(CronNext, EveryFromTheEpochAnchor) {
  // @every 90s: 1970-01-01 00:00:00 + k * 90 s. 2026-01-01 00:00 UTC is 1767225600 = 90 * k.
  EXPECT_EQ(Fires(Cron("@every 90s"), At("2026-01-01 00:00"), 3),
            (std::vector<std::string>{"2026-01-01 00:01:30 +00:00", "2026-01-01 00:03:00 +00:00",
                                      "2026-01-01 00:04:30 +00:00"}));
  // 7 minutes does not divide a day: the phase is a pure function of the anchor.
  auto f = NextFire(Cron("@every 7m"), At("2026-01-01 00:00"));
  ASSERT_TRUE(f);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(f->time_since_epoch()).count();
  EXPECT_EQ(secs % 420, 0);
  EXPECT_GT(*f, At("2026-01-01 00:00"));
  EXPECT_LE(*f, At("2026-01-01 00:07"));
  // In a zone the anchor is 1970-01-01 00:00 local: @every 1h fires on the local hour in a
  // half-hour zone (India, +05:30 then and now).
  EXPECT_EQ(Fires(Cron("@every 1h", "Asia/Kolkata"), At("2026-01-01 10:10", "Asia/Kolkata"), 2,
                  "Asia/Kolkata"),
            (std::vector<std::string>{"2026-01-01 11:00:00 +05:30", "2026-01-01 12:00:00 +05:30"}));
}

TEST(CronNext, ScheduleWithoutCompiledFormCompilesOnTheFly) {
  Schedule s;
  s.cron = "0 6 * * *";
  s.timezone = "Europe/Berlin";
  EXPECT_EQ(testing::Local(NextFire(s, At("2026-01-01 00:00")), "Europe/Berlin"),
            "2026-01-01 06:00:00 +01:00");
  ASSERT_TRUE(Compile(s).ok());
  EXPECT_NE(s.compiled, nullptr);
  s.cron = "bad";
  EXPECT_FALSE(Compile(s).ok());
  EXPECT_EQ(Compile(s).message(),
            "cron: expected 5 fields (minute hour day-of-month month day-of-week), got 1");
  Schedule z;
  z.cron = "* * * * *";
  z.timezone = "Mars/Olympus";
  EXPECT_EQ(Compile(z).message(),
            "timezone: unknown time zone \"Mars/Olympus\" (not in the zone database, e.g. "
            "Europe/Berlin)");
  EXPECT_FALSE(NextFire(z, At("2026-01-01 00:00")).has_value());
}

TEST(CronNext, SmallCompiledForm) {
  // 1,000 schedules cost little: the compiled form is a few bit sets and a shared zone handle.
  EXPECT_LE(sizeof(CronSpec), 32u);
  EXPECT_LE(sizeof(CompiledSchedule), 56u);
  Schedule a = Cron("*/5 * * * *", "Europe/Berlin");
  Schedule b = a;  // copies share the compiled form
  EXPECT_EQ(a.compiled.get(), b.compiled.get());
}

}  // namespace
}  // namespace chaosrun::scheduler
