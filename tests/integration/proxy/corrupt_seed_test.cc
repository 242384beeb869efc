// The corrupt toxic and per-toxic seeds over real TCP connections through the engine: a corrupt
// downstream changes the bytes a client reads (never their number), the same seed garbles the
// same way in a fresh engine, and a seeded toxicity picks the same connections in every run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "proxy_fixture.h"

namespace chaosrun::testing {
namespace {

std::string EchoThrough(uint16_t port, const std::string& data) {
  int fd = ConnectTo(port);
  EXPECT_GE(fd, 0);
  if (fd < 0) return {};
  std::string back = SendThenReadToEof(fd, data);
  ::close(fd);
  return back;
}

proxy::Engine::Options SeedTestOptions() {
  proxy::Engine::Options o;
  o.threads = 2;
  o.seed = 42;
  return o;
}

size_t ChangedBytes(const std::string& a, const std::string& b) {
  size_t n = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) n += a[i] != b[i];
  return n;
}

TEST_F(ProxyTest, CorruptGarblesEveryByteAtFullRateAndKeepsTheLength) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("garble", server);
  AddToxic("garble", Json{{"type", "corrupt"}, {"attributes", {{"rate", 1000000}}}});
  const std::string data = RandomBytes(300 * 1000, 3);
  std::string back = EchoThrough(port, data);
  ASSERT_EQ(back.size(), data.size());
  EXPECT_EQ(ChangedBytes(back, data), data.size());
}

TEST_F(ProxyTest, CorruptWithASeedGarblesTheSameWayInAFreshEngine) {
  TcpServer server(EchoHandler);
  const std::string data = RandomBytes(200 * 1000, 4);
  const Json toxic{{"type", "corrupt"}, {"seed", 99}, {"attributes", {{"rate", 20000}}}};
  std::vector<std::string> results;
  for (int run = 0; run < 2; ++run) {
    proxy::Engine engine(SeedTestOptions());
    uint16_t port = CreateProxyOn(engine, "garble", server.port());
    auto spec = proxy::ToxicFromJson(toxic);
    ASSERT_TRUE(spec.has_value());
    auto added = engine.AddToxic("garble", *spec);
    ASSERT_TRUE(added.has_value());
    EXPECT_EQ((*added)["seed"], 99);  // reported back
    results.push_back(EchoThrough(port, data));
  }
  ASSERT_EQ(results[0].size(), data.size());
  EXPECT_EQ(results[0], results[1]);
  size_t changed = ChangedBytes(results[0], data);
  // 2 % of 200,000: 4,000 expected, standard deviation ~63.
  EXPECT_GT(changed, 3'600u);
  EXPECT_LT(changed, 4'400u);
}

// Which of `n` sequential connections a seeded reset_peer (toxicity 0.5) drops.
std::vector<bool> DroppedConnections(uint16_t upstream, uint64_t seed, int n) {
  proxy::Engine engine(SeedTestOptions());
  uint16_t port = CreateProxyOn(engine, "drop", upstream);
  auto spec = proxy::ToxicFromJson(Json{{"type", "reset_peer"},
                                        {"stream", "upstream"},
                                        {"toxicity", 0.5},
                                        {"seed", seed},
                                        {"attributes", {{"timeout", 0}}}});
  EXPECT_TRUE(spec.has_value());
  EXPECT_TRUE(engine.AddToxic("drop", *spec).has_value());
  std::vector<bool> dropped;
  for (int k = 0; k < n; ++k) {
    int fd = ConnectTo(port);
    EXPECT_GE(fd, 0);
    EXPECT_TRUE(WriteAll(fd, "ping"));
    // An echo, or the reset (nothing): the connection's fate is decided before its data moves.
    dropped.push_back(ReadUpTo(fd, 4) != "ping");
    ::close(fd);
  }
  return dropped;
}

TEST_F(ProxyTest, SeededToxicityDropsTheSameConnectionsInEveryRun) {
  TcpServer server(EchoHandler);
  auto a = DroppedConnections(server.port(), 7, 60);
  auto b = DroppedConnections(server.port(), 7, 60);
  EXPECT_EQ(a, b);
  int n = 0;
  for (bool d : a) n += d;
  EXPECT_GT(n, 10);  // 30 expected, standard deviation ~3.9
  EXPECT_LT(n, 50);
  EXPECT_NE(a, DroppedConnections(server.port(), 8, 60));
}

}  // namespace
}  // namespace chaosrun::testing
