#include "common/clock.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace chaosrun {
namespace {

TEST(IsoTimestamp, FormatsUtcWithMicrosecondsAndOffset) {
  using namespace std::chrono;
  sys_days day = year{2026} / 11 / 27;
  auto t = day + hours(17) + minutes(21) + seconds(19) + microseconds(789216);
  EXPECT_EQ(IsoTimestamp(time_point_cast<system_clock::duration>(t)),
            "2026-11-27T17:21:19.789216+00:00");
}

TEST(FakeClock, AutoAdvanceJumpsToDeadline) {
  testing::FakeClock clock;
  auto start = clock.Now();
  EXPECT_TRUE(clock.SleepFor(std::chrono::seconds(30), CancelToken()));
  EXPECT_EQ(clock.Now() - start, std::chrono::seconds(30));
  EXPECT_EQ(clock.slept(), std::chrono::seconds(30));
}

TEST(FakeClock, SleepReturnsFalseWhenCancelled) {
  testing::FakeClock clock(/*auto_advance=*/false);
  CancelSource src;
  src.Cancel("stop");
  EXPECT_FALSE(clock.SleepFor(std::chrono::seconds(1), src.token()));
  EXPECT_EQ(src.token().reason(), "stop");
}

TEST(Seconds, ClampsNegativeAndHuge) {
  EXPECT_EQ(SecondsToDuration(-1), Clock::Duration::zero());
  EXPECT_GT(SecondsToDuration(1e300), Clock::Duration::zero());
  EXPECT_DOUBLE_EQ(DurationToSeconds(SecondsToDuration(1.5)), 1.5);
}

}  // namespace
}  // namespace chaosrun
