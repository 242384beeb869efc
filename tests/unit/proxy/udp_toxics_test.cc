// The per-datagram toxics of a UDP proxy (udp_toxics.h): injected times and seeds, no sockets.
#include "proxy/udp_toxics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chaosrun::proxy {
namespace {

using std::chrono::milliseconds;

const SteadyTime kUdpT0 = SteadyTime{} + std::chrono::hours(2);

ToxicConfig UdpConfig(uint64_t id, ToxicType type, double toxicity,
                      std::optional<uint64_t> seed = std::nullopt) {
  ToxicConfig c;
  c.id = id;
  c.params.type = type;
  c.toxicity = toxicity;
  c.seed = seed;
  return c;
}

// Which of `n` datagrams a toxic set drops.
std::vector<bool> DropPattern(std::vector<DatagramToxic> toxics, int n) {
  std::vector<bool> dropped;
  std::string payload = "metric:1|c";
  for (int k = 0; k < n; ++k) {
    std::string copy = payload;
    dropped.push_back(PlanDatagram(toxics, std::span<char>(copy.data(), copy.size()), kUdpT0).drop);
  }
  return dropped;
}

TEST(UdpToxicsTest, SeededDropRatioIsExactlyReproducibleAndWithinBounds) {
  constexpr int kN = 10'000;
  std::vector<ToxicConfig> configs{UdpConfig(1, ToxicType::kTimeout, 0.3, 2024)};
  auto a = DropPattern(RefreshDatagramToxics({}, configs, 1), kN);
  auto b = DropPattern(RefreshDatagramToxics({}, configs, 999), kN);  // engine seed irrelevant
  EXPECT_EQ(a, b);
  int dropped = 0;
  for (bool d : a) dropped += d;
  // 30 % of 10,000: 3,000 expected, standard deviation ~46; six of them either way.
  EXPECT_GT(dropped, 2'720);
  EXPECT_LT(dropped, 3'280);
  configs[0].seed = 2025;
  EXPECT_NE(a, DropPattern(RefreshDatagramToxics({}, configs, 1), kN));
}

TEST(UdpToxicsTest, WithoutASeedTheEngineSeedAndIdDecide) {
  std::vector<ToxicConfig> configs{UdpConfig(3, ToxicType::kTimeout, 0.5)};
  EXPECT_EQ(DropPattern(RefreshDatagramToxics({}, configs, 11), 500),
            DropPattern(RefreshDatagramToxics({}, configs, 11), 500));
  EXPECT_NE(DropPattern(RefreshDatagramToxics({}, configs, 11), 500),
            DropPattern(RefreshDatagramToxics({}, configs, 12), 500));
}

TEST(UdpToxicsTest, BlackholeDropsEverythingAndNoToxicPassesEverything) {
  auto all = DropPattern(
      RefreshDatagramToxics({}, std::vector{UdpConfig(1, ToxicType::kTimeout, 1.0)}, 1), 100);
  EXPECT_EQ(all, std::vector<bool>(100, true));
  auto none = DropPattern({}, 100);
  EXPECT_EQ(none, std::vector<bool>(100, false));
}

TEST(UdpToxicsTest, RefreshKeepsStateOfUnchangedToxicsAndRestartsUpdatedOnes) {
  std::vector<ToxicConfig> configs{UdpConfig(1, ToxicType::kTimeout, 0.5, 7)};
  auto toxics = RefreshDatagramToxics({}, configs, 1);
  auto first = DropPattern(toxics, 50);  // on a copy: `toxics` still at the start
  auto run = RefreshDatagramToxics({}, configs, 1);
  std::string p = "x";
  for (int k = 0; k < 50; ++k) (void)PlanDatagram(run, std::span<char>(p.data(), 1), kUdpT0);
  // Unchanged: continues where it was (the next 50 differ from the first 50).
  auto kept = RefreshDatagramToxics(run, configs, 1);
  EXPECT_NE(DropPattern(kept, 50), first);
  // Updated (revision bumped): starts over from its seed.
  configs[0].revision = 1;
  EXPECT_EQ(DropPattern(RefreshDatagramToxics(run, configs, 1), 50), first);
}

TEST(UdpToxicsTest, CorruptGarblesPayloadInPlace) {
  auto c = UdpConfig(1, ToxicType::kCorrupt, 1.0, 5);
  c.params.corrupt_rate = 1'000'000;
  auto toxics = RefreshDatagramToxics({}, std::vector{c}, 1);
  std::string payload = "cpu_seconds_total 12.5\n";
  std::string original = payload;
  DatagramFate fate = PlanDatagram(toxics, std::span<char>(payload.data(), payload.size()), kUdpT0);
  EXPECT_FALSE(fate.drop);
  EXPECT_EQ(fate.at, kUdpT0);
  EXPECT_EQ(fate.garbled, payload.size());
  for (size_t i = 0; i < payload.size(); ++i) EXPECT_NE(payload[i], original[i]) << i;
}

TEST(UdpToxicsTest, LatencyAndBandwidthSetTheReleaseTime) {
  auto lat = UdpConfig(1, ToxicType::kLatency, 1.0);
  lat.params.latency = 40;
  auto bw = UdpConfig(2, ToxicType::kBandwidth, 1.0);
  bw.params.rate = 1;  // 1 KB/s: 1000 bytes take one second
  auto toxics = RefreshDatagramToxics({}, std::vector{lat, bw}, 1);
  std::string payload(500, 'b');
  auto first = PlanDatagram(toxics, std::span<char>(payload.data(), payload.size()), kUdpT0);
  EXPECT_EQ(first.at, kUdpT0 + milliseconds(40) + milliseconds(500));
  auto second = PlanDatagram(toxics, std::span<char>(payload.data(), payload.size()), kUdpT0);
  EXPECT_EQ(second.at, first.at + milliseconds(500));  // queued behind the first on the link
}

TEST(UdpToxicsTest, LimitDataLetsWholeDatagramsThroughThenDropsTheRest) {
  auto limit = UdpConfig(1, ToxicType::kLimitData, 1.0);
  limit.params.bytes = 25;
  auto toxics = RefreshDatagramToxics({}, std::vector{limit}, 1);
  std::string ten(10, 'd');
  auto plan = [&] { return PlanDatagram(toxics, std::span<char>(ten.data(), 10), kUdpT0).drop; };
  EXPECT_FALSE(plan());
  EXPECT_FALSE(plan());
  EXPECT_TRUE(plan());  // 20 + 10 > 25
  std::string one(1, 'e');
  EXPECT_TRUE(PlanDatagram(toxics, std::span<char>(one.data(), 1), kUdpT0).drop);  // exhausted
}

}  // namespace
}  // namespace chaosrun::proxy
