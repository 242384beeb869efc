// Release-timer correction (toxic_math.h: WakeMargin, EarlyWake, SpinBudget) with injected
// times: no sleeping, no wall clock.
#include <gtest/gtest.h>

#include "proxy/toxic_math.h"

namespace chaosrun::proxy {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

TEST(WakeMarginTest, ZeroBeforeAnySampleThenTheLatenessSeen) {
  WakeMargin m;
  EXPECT_EQ(m.margin(), Nanos::zero());
  m.Record(microseconds(300));
  EXPECT_EQ(m.margin(), microseconds(300));
  m.Record(microseconds(-50));  // early (cannot happen with a timer, but must not go negative)
  EXPECT_EQ(m.margin(), Nanos::zero());  // second largest of {300, 0}
}

TEST(WakeMarginTest, IsTheSecondLargestOfTheWindowSoOneOutlierIsIgnored) {
  WakeMargin m;
  for (int k = 0; k < 60; ++k) m.Record(microseconds(50 + k));  // 50..109 µs
  m.Record(microseconds(1500));                                 // a single stall
  EXPECT_EQ(m.margin(), microseconds(109));
  m.Record(microseconds(900));
  EXPECT_EQ(m.margin(), microseconds(900));
}

TEST(WakeMarginTest, CappedAndForgetsOldSamples) {
  WakeMargin m;
  m.Record(milliseconds(30));
  m.Record(milliseconds(30));
  EXPECT_EQ(m.margin(), WakeMargin::kCap);
  for (size_t k = 0; k < WakeMargin::kWindow; ++k) m.Record(microseconds(80));
  EXPECT_EQ(m.margin(), microseconds(80));  // the stalls left the window
}

TEST(EarlyWakeTest, ArmsMarginEarlyButNeverInThePast) {
  SteadyTime at = kT0 + milliseconds(100);
  EXPECT_EQ(EarlyWake(at, microseconds(700), kT0), at - microseconds(700));
  EXPECT_EQ(EarlyWake(at, Nanos::zero(), kT0), at);
  EXPECT_EQ(EarlyWake(at, microseconds(-5), kT0), at);
  // Less time left than the margin: fire now (the rest is waited precisely).
  SteadyTime now = at - microseconds(200);
  EXPECT_EQ(EarlyWake(at, microseconds(700), now), now);
  // Already due: the release time itself.
  EXPECT_EQ(EarlyWake(at, microseconds(700), at + milliseconds(1)), at);
}

TEST(SpinBudgetTest, AllowsUpToTheBudgetPerPeriodThenRefuses) {
  SpinBudget b;
  SteadyTime t = kT0;
  Nanos step = microseconds(1500);
  int allowed = 0;
  while (b.Allow(t, step)) {
    b.Charge(t, step);
    ++allowed;
    t += microseconds(10);
    ASSERT_LT(allowed, 1000);
  }
  EXPECT_EQ(Nanos(step * allowed) <= SpinBudget::kMax, true);
  EXPECT_GT(Nanos(step * (allowed + 1)), SpinBudget::kMax);
  // A new period restores the budget.
  EXPECT_TRUE(b.Allow(t + SpinBudget::kPeriod, step));
  EXPECT_FALSE(b.Allow(t, SpinBudget::kMax + microseconds(1)));
}

TEST(SpinBudgetTest, ATimeBeforeThePeriodStartsANewPeriod) {
  SpinBudget b;
  b.Charge(kT0, SpinBudget::kMax);
  EXPECT_FALSE(b.Allow(kT0 + microseconds(1), microseconds(1)));
  EXPECT_TRUE(b.Allow(kT0 - milliseconds(1), microseconds(1)));
}

}  // namespace
}  // namespace chaosrun::proxy
