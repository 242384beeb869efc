// Zones and daylight-saving changes, with explicit times only. 2026 transitions used here:
//   America/New_York  spring 2026-03-08 02:00 EST -> 03:00 EDT; fall 2026-11-01 02:00 EDT -> 01:00
//   Europe/Berlin     spring 2026-03-29 02:00 CET -> 03:00 CEST; fall 2026-10-25 03:00 -> 02:00
//   Australia/Lord_Howe (30-minute DST) fall 2026-04-05 02:00 +11 -> 01:30 +10:30;
//                     spring 2026-10-04 02:00 +10:30 -> 02:30 +11
// Rules under test (docs/scheduling.md): a cron with fixed hours fires once at the first instant
// after a gap if the gap held a match, and only in the first pass of a repeated hour; a cron
// whose hour field is every hour follows the clock (nothing made up, both passes fire).
#include <gtest/gtest.h>

#include "scheduler/schedule.h"
#include "unit/scheduler/sched_test_util.h"

namespace chaosrun::scheduler {
namespace {

using testing::At;
using testing::Cron;
using testing::Fires;
using V = std::vector<std::string>;

const std::string kNY = "America/New_York";
const std::string kBerlin = "Europe/Berlin";
const std::string kLordHowe = "Australia/Lord_Howe";

TEST(DstSpringForward, FixedHourInTheGapFiresOnceAfterIt) {
  EXPECT_EQ(Fires(Cron("30 2 * * *", kNY), At("2026-03-07 03:00", kNY), 3, kNY),
            (V{"2026-03-08 03:00:00 -04:00", "2026-03-09 02:30:00 -04:00",
               "2026-03-10 02:30:00 -04:00"}));
  EXPECT_EQ(Fires(Cron("0 2 * * *", kNY), At("2026-03-07 03:00", kNY), 2, kNY),
            (V{"2026-03-08 03:00:00 -04:00", "2026-03-09 02:00:00 -04:00"}));
  // Several matches in the gap, and one right after it: still one fire at 03:00.
  EXPECT_EQ(Fires(Cron("*/10 2-3 * * *", kNY), At("2026-03-08 01:00", kNY), 3, kNY),
            (V{"2026-03-08 03:00:00 -04:00", "2026-03-08 03:10:00 -04:00",
               "2026-03-08 03:20:00 -04:00"}));
  // From inside the made-up instant on, nothing is made up twice.
  EXPECT_EQ(Fires(Cron("30 2 * * *", kNY), At("2026-03-08 03:00", kNY), 1, kNY),
            (V{"2026-03-09 02:30:00 -04:00"}));
}

TEST(DstSpringForward, EveryHourCronFollowsTheClock) {
  EXPECT_EQ(Fires(Cron("30 * * * *", kNY), At("2026-03-08 01:00", kNY), 3, kNY),
            (V{"2026-03-08 01:30:00 -05:00", "2026-03-08 03:30:00 -04:00",
               "2026-03-08 04:30:00 -04:00"}));
  EXPECT_EQ(Fires(Cron("@hourly", kNY), At("2026-03-08 00:30", kNY), 3, kNY),
            (V{"2026-03-08 01:00:00 -05:00", "2026-03-08 03:00:00 -04:00",
               "2026-03-08 04:00:00 -04:00"}));
}

TEST(DstFallBack, FixedHourInTheRepeatedHourFiresOnce) {
  EXPECT_EQ(Fires(Cron("30 1 * * *", kNY), At("2026-10-31 12:00", kNY), 3, kNY),
            (V{"2026-11-01 01:30:00 -04:00", "2026-11-02 01:30:00 -05:00",
               "2026-11-03 01:30:00 -05:00"}));
  // From the first pass after the fire: the second pass does not fire it again.
  EXPECT_EQ(Fires(Cron("30 1 * * *", kNY), At("2026-11-01 01:45", kNY), 1, kNY),
            (V{"2026-11-02 01:30:00 -05:00"}));
  // From inside the second pass (01:05 EST), 01:15 already happened in the first pass.
  EXPECT_EQ(Fires(Cron("15 1 * * *", kNY), At("2026-11-01 01:05", kNY, true), 1, kNY),
            (V{"2026-11-02 01:15:00 -05:00"}));
  // A range over the repeated hour: each civil time once.
  EXPECT_EQ(Fires(Cron("*/30 1-2 * * *", kNY), At("2026-11-01 00:00", kNY), 4, kNY),
            (V{"2026-11-01 01:00:00 -04:00", "2026-11-01 01:30:00 -04:00",
               "2026-11-01 02:00:00 -05:00", "2026-11-01 02:30:00 -05:00"}));
}

TEST(DstFallBack, EveryHourCronFiresInBothPasses) {
  EXPECT_EQ(Fires(Cron("30 * * * *", kNY), At("2026-11-01 00:45", kNY), 3, kNY),
            (V{"2026-11-01 01:30:00 -04:00", "2026-11-01 01:30:00 -05:00",
               "2026-11-01 02:30:00 -05:00"}));
  EXPECT_EQ(Fires(Cron("*/20 * * * *", kNY), At("2026-11-01 01:30", kNY), 4, kNY),
            (V{"2026-11-01 01:40:00 -04:00", "2026-11-01 01:00:00 -05:00",
               "2026-11-01 01:20:00 -05:00", "2026-11-01 01:40:00 -05:00"}));
}

TEST(DstBerlin, BothChanges) {
  EXPECT_EQ(Fires(Cron("30 2 * * *", kBerlin), At("2026-03-28 12:00", kBerlin), 2, kBerlin),
            (V{"2026-03-29 03:00:00 +02:00", "2026-03-30 02:30:00 +02:00"}));
  EXPECT_EQ(Fires(Cron("30 2 * * *", kBerlin), At("2026-10-24 12:00", kBerlin), 2, kBerlin),
            (V{"2026-10-25 02:30:00 +02:00", "2026-10-26 02:30:00 +01:00"}));
  EXPECT_EQ(Fires(Cron("0,30 * * * *", kBerlin), At("2026-10-25 02:15", kBerlin), 3, kBerlin),
            (V{"2026-10-25 02:30:00 +02:00", "2026-10-25 02:00:00 +01:00",
               "2026-10-25 02:30:00 +01:00"}));
}

TEST(DstLordHowe, ThirtyMinuteChanges) {
  // Spring: 02:00 -> 02:30. 02:15 does not exist.
  EXPECT_EQ(Fires(Cron("15 2 * * *", kLordHowe), At("2026-10-03 12:00", kLordHowe), 2, kLordHowe),
            (V{"2026-10-04 02:30:00 +11:00", "2026-10-05 02:15:00 +11:00"}));
  EXPECT_EQ(Fires(Cron("15 * * * *", kLordHowe), At("2026-10-04 01:00", kLordHowe), 2, kLordHowe),
            (V{"2026-10-04 01:15:00 +10:30", "2026-10-04 03:15:00 +11:00"}));
  // Fall: 02:00 -> 01:30; 01:30-01:59 happen twice.
  EXPECT_EQ(Fires(Cron("45 1 * * *", kLordHowe), At("2026-04-04 12:00", kLordHowe), 2, kLordHowe),
            (V{"2026-04-05 01:45:00 +11:00", "2026-04-06 01:45:00 +10:30"}));
  EXPECT_EQ(Fires(Cron("45 * * * *", kLordHowe), At("2026-04-05 01:00", kLordHowe), 3, kLordHowe),
            (V{"2026-04-05 01:45:00 +11:00", "2026-04-05 01:45:00 +10:30",
               "2026-04-05 02:45:00 +10:30"}));
}

TEST(DstEvery, AbsoluteIntervalsAcrossChanges) {
  // Anchor: 1970-01-01 00:00 EST (-05:00). Fires are 3600 s apart whatever the clock says.
  EXPECT_EQ(Fires(Cron("@every 1h", kNY), At("2026-03-08 00:30", kNY), 3, kNY),
            (V{"2026-03-08 01:00:00 -05:00", "2026-03-08 03:00:00 -04:00",
               "2026-03-08 04:00:00 -04:00"}));
  EXPECT_EQ(Fires(Cron("@every 1h", kNY), At("2026-11-01 00:30", kNY), 3, kNY),
            (V{"2026-11-01 01:00:00 -04:00", "2026-11-01 01:00:00 -05:00",
               "2026-11-01 02:00:00 -05:00"}));
  Schedule s = Cron("@every 90m", kBerlin);
  std::optional<WallTime> prev = NextFire(s, At("2026-03-28 20:00", kBerlin));
  for (int i = 0; i < 20 && prev; ++i) {
    auto next = NextFire(s, *prev);
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - *prev, std::chrono::minutes(90));
    prev = next;
  }
}

TEST(DstCountMissed, CountsEachFireOnce) {
  // Mar 7 02:30, Mar 8 03:00 (made up), Mar 9 02:30.
  EXPECT_EQ(CountMissed(Cron("30 2 * * *", kNY), At("2026-03-07 00:00", kNY),
                        At("2026-03-10 00:00", kNY)),
            3u);
  // Oct 31, Nov 1 (once), Nov 2.
  EXPECT_EQ(CountMissed(Cron("30 1 * * *", kNY), At("2026-10-31 00:00", kNY),
                        At("2026-11-03 00:00", kNY)),
            3u);
  // 25 hours on the day the clock falls back: 25 hourly fires.
  EXPECT_EQ(
      CountMissed(Cron("@hourly", kNY), At("2026-11-01 00:30", kNY), At("2026-11-02 00:30", kNY)),
      25u);
  EXPECT_EQ(
      CountMissed(Cron("@every 1h", kNY), At("2026-03-08 00:30", kNY), At("2026-03-09 00:30", kNY)),
      23u);
}

}  // namespace
}  // namespace chaosrun::scheduler
