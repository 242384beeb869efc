// Toxic arithmetic with injected times and a seeded generator: no sockets, no sleeping.
#include "proxy/toxic_math.h"

#include <gtest/gtest.h>

#include <numeric>

namespace chaosrun::proxy {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

ToxicRuntime Toxic(ToxicType type, uint64_t id = 1) {
  ToxicRuntime t;
  t.id = id;
  t.params.type = type;
  t.applies = true;
  t.activated = kT0;
  return t;
}

TEST(RngTest, SameSeedSameSequenceDifferentSeedDifferent) {
  Rng a(7), b(7), c(8);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a(), b());
  EXPECT_NE(Rng(7)(), c());
  Rng r(3);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LT(r.Below(10), 10u);
    double u = r.Uniform01();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
  EXPECT_EQ(r.Below(0), 0u);
}

TEST(ToxicityTest, ZeroNeverOneAlwaysHalfAboutHalfAndSeeded) {
  Rng rng(1);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) {
    EXPECT_FALSE(RollToxicity(0.0, rng));
    EXPECT_TRUE(RollToxicity(1.0, rng));
    hits += RollToxicity(0.5, rng) ? 1 : 0;
  }
  EXPECT_GT(hits, 4700);
  EXPECT_LT(hits, 5300);
  Rng x(99), y(99);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(RollToxicity(0.3, x), RollToxicity(0.3, y));
}

TEST(LatencyTest, WaitIsDelayMinusTimeAlreadyQueued) {
  Nanos delay = milliseconds(100);
  EXPECT_EQ(LatencyWait(kT0, delay, kT0), milliseconds(100));
  EXPECT_EQ(LatencyWait(kT0, delay, kT0 + milliseconds(30)), milliseconds(70));
  EXPECT_EQ(LatencyWait(kT0, delay, kT0 + milliseconds(100)), Nanos::zero());
  EXPECT_EQ(LatencyWait(kT0, delay, kT0 + milliseconds(250)), Nanos::zero());
}

TEST(LatencyTest, JitterStaysWithinBoundsAndNeverNegative) {
  Rng rng(5);
  Nanos lo = milliseconds(1000), hi = Nanos::zero();
  for (int i = 0; i < 5000; ++i) {
    Nanos d = LatencyDelay(100, 10, rng);
    EXPECT_GE(d, milliseconds(90));
    EXPECT_LT(d, milliseconds(110));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, milliseconds(91));  // the whole range is used
  EXPECT_GT(hi, milliseconds(109));
  EXPECT_EQ(LatencyDelay(100, 0, rng), milliseconds(100));
  for (int i = 0; i < 100; ++i) EXPECT_GE(LatencyDelay(5, 50, rng), Nanos::zero());
}

TEST(BandwidthTest, CostAndPacingAverageToTheRate) {
  EXPECT_EQ(BandwidthCost(1000, 1), milliseconds(1000));  // 1 KB/s: 1000 bytes take 1 s
  EXPECT_EQ(BandwidthCost(100, 100), milliseconds(1));
  EXPECT_EQ(BandwidthCost(12345, 0), Nanos::zero());
  EXPECT_EQ(BandwidthPiece(100), 1000u);  // 10 ms worth
  EXPECT_EQ(BandwidthPiece(0), SIZE_MAX);
  // 1 MB at 100 KB/s, sent in pieces as fast as allowed: the last release is 10 s after start.
  SteadyTime link_free{};
  SteadyTime now = kT0;
  size_t left = 1000000;
  while (left > 0) {
    size_t piece = std::min(left, BandwidthPiece(100));
    SteadyTime at = BandwidthRelease(now, link_free, piece, 100);
    EXPECT_GE(at, now);
    link_free = at;
    now = at;  // the sender writes exactly at the release time
    left -= piece;
  }
  EXPECT_EQ(now - kT0, std::chrono::seconds(10));
  // An idle link does not bank credit: a piece after a pause still pays its cost.
  EXPECT_EQ(BandwidthRelease(kT0 + std::chrono::hours(1), kT0, 1000, 100),
            kT0 + std::chrono::hours(1) + milliseconds(10));
}

TEST(SlicerTest, SizesSumExactlyAndRespectVariation) {
  Rng rng(11);
  for (size_t total : {1ul, 7ul, 100ul, 1000ul, 65536ul}) {
    auto sizes = SliceSizes(total, 100, 20, rng);
    EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), size_t{0}), total);
    for (size_t i = 0; i + 1 < sizes.size(); ++i) {
      EXPECT_GE(sizes[i], 80u);
      EXPECT_LE(sizes[i], 120u);
    }
    EXPECT_LE(sizes.back(), 120u);
  }
  auto exact = SliceSizes(1000, 10, 0, rng);
  EXPECT_EQ(exact.size(), 100u);
  for (size_t s : exact) EXPECT_EQ(s, 10u);
  Rng a(4), b(4);
  EXPECT_EQ(SliceSizes(5000, 50, 25, a), SliceSizes(5000, 50, 25, b));
}

TEST(LimitDataTest, CutPointIsExact) {
  EXPECT_EQ(LimitAllowance(100, 0, 60), 60u);
  EXPECT_EQ(LimitAllowance(100, 60, 60), 40u);
  EXPECT_EQ(LimitAllowance(100, 100, 60), 0u);
  EXPECT_EQ(LimitAllowance(0, 0, 60), 0u);
  ToxicRuntime t = Toxic(ToxicType::kLimitData);
  t.params.bytes = 100;
  std::vector<ToxicRuntime> v{t};
  Rng rng(1);
  Plan p = PlanHead(v, HeadChunk{kT0, 60, false, {}}, kT0, rng);
  EXPECT_EQ(p.kind, Plan::Kind::kSend);
  EXPECT_EQ(p.bytes, 60u);
  CommitSend(v, p, kT0);
  EXPECT_FALSE(LimitExhausted(v));
  p = PlanHead(v, HeadChunk{kT0, 60, false, {}}, kT0, rng);
  EXPECT_EQ(p.bytes, 40u);
  CommitSend(v, p, kT0);
  EXPECT_TRUE(LimitExhausted(v));
  EXPECT_EQ(PlanHead(v, HeadChunk{kT0, 60, false, {}}, kT0, rng).kind, Plan::Kind::kClose);
}

TEST(PlanHeadTest, NoToxicSendsEverythingNow) {
  Rng rng(1);
  Plan p = PlanHead({}, HeadChunk{kT0, 500, false, {}}, kT0 + milliseconds(3), rng);
  EXPECT_EQ(p.kind, Plan::Kind::kSend);
  EXPECT_EQ(p.bytes, 500u);
  EXPECT_EQ(p.at, kT0 + milliseconds(3));
  ToxicRuntime off = Toxic(ToxicType::kTimeout);
  off.applies = false;  // toxicity roll lost: no effect
  std::vector<ToxicRuntime> v{off};
  EXPECT_EQ(PlanHead(v, HeadChunk{kT0, 5, false, {}}, kT0, rng).kind, Plan::Kind::kSend);
}

TEST(PlanHeadTest, LatencyCountsFromArrivalNotFromPlanning) {
  ToxicRuntime t = Toxic(ToxicType::kLatency);
  t.params.latency = 100;
  std::vector<ToxicRuntime> v{t};
  Rng rng(1);
  // Queued for 40 ms behind other data: released at arrival + 100 ms, not now + 100 ms.
  Plan p = PlanHead(v, HeadChunk{kT0, 10, false, {}}, kT0 + milliseconds(40), rng);
  EXPECT_EQ(p.at, kT0 + milliseconds(100));
  // Two latency toxics in a chain add up.
  v.push_back(t);
  v.back().id = 2;
  EXPECT_EQ(PlanHead(v, HeadChunk{kT0, 10, false, {}}, kT0, rng).at, kT0 + milliseconds(200));
}

TEST(PlanHeadTest, TimeoutAndResetHoldDataAndSetDeadlines) {
  ToxicRuntime timeout = Toxic(ToxicType::kTimeout, 1);
  timeout.params.timeout = 500;
  ToxicRuntime forever = Toxic(ToxicType::kTimeout, 2);
  ToxicRuntime reset = Toxic(ToxicType::kResetPeer, 3);
  reset.params.timeout = 200;
  Rng rng(1);
  std::vector<ToxicRuntime> v{forever};
  EXPECT_EQ(PlanHead(v, HeadChunk{kT0, 1, false, {}}, kT0, rng).kind, Plan::Kind::kHold);
  EXPECT_FALSE(EarliestDeadline(v).has_value());  // timeout 0: held forever
  v = {timeout};
  auto d = EarliestDeadline(v);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->at, kT0 + milliseconds(500));
  EXPECT_FALSE(d->reset);
  v.push_back(reset);
  EXPECT_EQ(EarliestDeadline(v)->at, kT0 + milliseconds(500));  // reset not armed before data
  EXPECT_TRUE(OnArrival(v, kT0 + milliseconds(100)));
  d = EarliestDeadline(v);
  EXPECT_EQ(d->at, kT0 + milliseconds(300));
  EXPECT_TRUE(d->reset);
  EXPECT_FALSE(OnArrival(v, kT0 + milliseconds(150)));  // armed once only
  EXPECT_EQ(EarliestDeadline(v)->at, kT0 + milliseconds(300));
}

TEST(PlanHeadTest, SlicerSplitsAndSpacesSlicesOfOneChunk) {
  ToxicRuntime t = Toxic(ToxicType::kSlicer);
  t.params.average_size = 10;
  t.params.size_variation = 0;
  t.params.delay = 500;  // µs
  std::vector<ToxicRuntime> v{t};
  Rng rng(1);
  Plan first = PlanHead(v, HeadChunk{kT0, 25, false, {}}, kT0, rng);
  EXPECT_EQ(first.bytes, 10u);
  EXPECT_EQ(first.at, kT0);
  Plan next = PlanHead(v, HeadChunk{kT0, 15, true, kT0}, kT0, rng);
  EXPECT_EQ(next.bytes, 10u);
  EXPECT_EQ(next.at, kT0 + microseconds(500));
  Plan last = PlanHead(v, HeadChunk{kT0, 5, true, kT0 + microseconds(500)}, kT0, rng);
  EXPECT_EQ(last.bytes, 5u);
}

TEST(PlanHeadTest, BandwidthPiecesAreTimedByTheLink) {
  ToxicRuntime t = Toxic(ToxicType::kBandwidth);
  t.params.rate = 10;  // 10 KB/s: pieces of 100 bytes, 10 ms each
  std::vector<ToxicRuntime> v{t};
  Rng rng(1);
  Plan p = PlanHead(v, HeadChunk{kT0, 250, false, {}}, kT0, rng);
  EXPECT_EQ(p.bytes, 100u);
  EXPECT_EQ(p.at, kT0 + milliseconds(10));
  CommitSend(v, p, p.at);
  p = PlanHead(v, HeadChunk{kT0, 150, true, {}}, kT0 + milliseconds(10), rng);
  EXPECT_EQ(p.at, kT0 + milliseconds(20));
}

TEST(SlowCloseTest, LargestDelayOfTheToxicsThatApply) {
  ToxicRuntime a = Toxic(ToxicType::kSlowClose, 1);
  a.params.delay = 30;
  ToxicRuntime b = Toxic(ToxicType::kSlowClose, 2);
  b.params.delay = 70;
  b.applies = false;
  std::vector<ToxicRuntime> v{a, b};
  EXPECT_EQ(SlowCloseDelay(v), milliseconds(30));
  EXPECT_TRUE(AnyApplies(v));
  v[0].applies = false;
  EXPECT_FALSE(AnyApplies(v));
  EXPECT_EQ(SlowCloseDelay(v), Nanos::zero());
}

}  // namespace
}  // namespace chaosrun::proxy
