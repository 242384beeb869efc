// The timeline's layout maths: times to coordinates, lanes that never overlap, tick steps.
#include "report/layout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace chaosrun::report {
namespace {

TEST(AxisTest, MapsTimesLinearlyOntoThePlot) {
  Axis a = MakeAxis(100, 110, 50, 1050);
  EXPECT_DOUBLE_EQ(a.X(100), 50);
  EXPECT_DOUBLE_EQ(a.X(105), 550);
  EXPECT_DOUBLE_EQ(a.X(110), 1050);
  EXPECT_DOUBLE_EQ(a.Width(2.5), 250);
}

TEST(AxisTest, ClampsOutsideTimesAndUnknownTimes) {
  Axis a = MakeAxis(0, 10, 0, 100);
  EXPECT_DOUBLE_EQ(a.X(-5), 0);
  EXPECT_DOUBLE_EQ(a.X(50), 100);
  EXPECT_DOUBLE_EQ(a.X(NAN), 0);
  EXPECT_DOUBLE_EQ(a.Width(-1), 0);
  EXPECT_DOUBLE_EQ(a.Width(NAN), 0);
}

TEST(AxisTest, AnEmptyOrReversedSpanIsOneSecondWide) {
  Axis a = MakeAxis(5, 5, 0, 100);
  EXPECT_DOUBLE_EQ(a.t1 - a.t0, 1);
  EXPECT_DOUBLE_EQ(a.X(5.5), 50);
  Axis b = MakeAxis(9, 3, 0, 100);
  EXPECT_DOUBLE_EQ(b.t0, 9);
  EXPECT_DOUBLE_EQ(b.t1, 10);
  Axis c = MakeAxis(NAN, NAN, 0, 100);
  EXPECT_TRUE(std::isfinite(c.X(0.5)));
}

TEST(AxisTest, AnInvertedPlotWorksForChartsDrawnBottomUp) {
  Axis y = MakeAxis(0, 10, 90, 10);  // value 0 at the bottom (y = 90)
  EXPECT_DOUBLE_EQ(y.X(0), 90);
  EXPECT_DOUBLE_EQ(y.X(10), 10);
  EXPECT_DOUBLE_EQ(y.X(20), 10);
}

TEST(LanesTest, SequentialIntervalsShareOneLane) {
  std::vector<Interval> iv = {{0, 1}, {1, 2}, {2, 5}, {6, 7}};
  auto lanes = AssignLanes(iv, 0);
  EXPECT_EQ(lanes, (std::vector<size_t>{0, 0, 0, 0}));
  EXPECT_EQ(LaneCount(lanes), 1u);
}

TEST(LanesTest, OverlappingIntervalsGetTheirOwnLanesAndFreedLanesAreReused) {
  std::vector<Interval> iv = {{0, 10}, {1, 3}, {2, 4}, {5, 6}};
  auto lanes = AssignLanes(iv, 0);
  EXPECT_EQ(lanes[0], 0u);
  EXPECT_EQ(lanes[1], 1u);
  EXPECT_EQ(lanes[2], 2u);
  EXPECT_EQ(lanes[3], 1u);  // the lowest lane free at 5
  EXPECT_EQ(LaneCount(lanes), 3u);
}

TEST(LanesTest, AGapKeepsNeighboursApart) {
  std::vector<Interval> iv = {{0, 1}, {1.5, 2}};
  EXPECT_EQ(LaneCount(AssignLanes(iv, 0)), 1u);
  EXPECT_EQ(LaneCount(AssignLanes(iv, 1)), 2u);
}

TEST(LanesTest, InputOrderDoesNotMatterAndReversedEndsAreInstants) {
  std::vector<Interval> iv = {{5, 6}, {0, 10}, {3, 1}};
  auto lanes = AssignLanes(iv, 0);
  EXPECT_EQ(lanes[1], 0u);
  EXPECT_NE(lanes[0], lanes[1]);
  EXPECT_NE(lanes[2], lanes[1]);
  EXPECT_EQ(LaneCount(lanes), 2u);
  EXPECT_EQ(LaneCount(AssignLanes({}, 0)), 0u);
}

// Property: on random intervals, no two of one lane overlap, and the lane count equals the
// largest number of intervals alive at one instant (greedy interval colouring is optimal).
TEST(LanesTest, RandomIntervalsNeverOverlapOnALaneAndUseTheFewestLanes) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> at(0, 100), len(0, 15);
  for (int round = 0; round < 50; ++round) {
    std::vector<Interval> iv;
    for (int i = 0; i < 200; ++i) {
      double s = at(rng);
      iv.push_back({s, s + len(rng)});
    }
    auto lanes = AssignLanes(iv, 0);
    for (size_t a = 0; a < iv.size(); ++a) {
      for (size_t b = a + 1; b < iv.size(); ++b) {
        if (lanes[a] != lanes[b]) continue;
        bool apart = iv[a].end <= iv[b].start || iv[b].end <= iv[a].start;
        ASSERT_TRUE(apart) << "round " << round << ": " << a << " and " << b << " share lane "
                           << lanes[a];
      }
    }
    size_t depth = 0;
    for (const Interval& probe : iv) {
      size_t alive = 0;
      for (const Interval& x : iv) alive += (x.start <= probe.start && probe.start < x.end) ? 1 : 0;
      depth = std::max(depth, alive);
    }
    EXPECT_EQ(LaneCount(lanes), depth) << "round " << round;
  }
}

TEST(TicksTest, RoundStepsCoverTheSpan) {
  EXPECT_EQ(NiceTicks(10, 10), (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(NiceTicks(1.7, 10), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1,
                                                     1.2000000000000002, 1.4000000000000001, 1.6}));
  auto t = NiceTicks(3600, 8);
  EXPECT_DOUBLE_EQ(t[1], 500);
  EXPECT_LE(t.size(), 9u);
  EXPECT_EQ(NiceTicks(0, 10), (std::vector<double>{0}));
  EXPECT_EQ(NiceTicks(NAN, 10), (std::vector<double>{0}));
}

TEST(ExtentTest, IgnoresUnknownTimes) {
  Extent e = FiniteExtent({NAN, 3, 1, INFINITY, 2});
  EXPECT_DOUBLE_EQ(e.lo, 1);
  EXPECT_DOUBLE_EQ(e.hi, 3);
  EXPECT_TRUE(FiniteExtent({NAN}).empty());
  EXPECT_TRUE(FiniteExtent({}).empty());
}

}  // namespace
}  // namespace chaosrun::report
