// Plain relaying: byte-exact in both directions, half-close, counters, latency toxic basics.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "proxy_fixture.h"

namespace chaosrun::testing {
namespace {

TEST_F(ProxyTest, RelaysMegabytesByteExactBothWays) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("echo", server);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  const std::string data = RandomBytes(4 << 20, 1);
  std::string back = SendThenReadToEof(fd, data);
  ::close(fd);
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
  ASSERT_TRUE(Eventually([&] { return engine_.Stats("echo")->connections_active == 0; }));
  auto stats = engine_.Stats("echo");
  EXPECT_EQ(stats->connections_total, 1u);
  EXPECT_EQ(stats->bytes_upstream, data.size());
  EXPECT_EQ(stats->bytes_downstream, data.size());
}

TEST_F(ProxyTest, LatencyDelaysEachResponseAtLeastTheLatency) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("lat", server);
  AddToxic("lat", Json{{"type", "latency"}, {"attributes", {{"latency", 50}}}});
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(WriteAll(fd, "ping"));
    EXPECT_EQ(ReadUpTo(fd, 4), "ping");
    EXPECT_GE(MillisSince(start), 50.0);
  }
  ::close(fd);
}

TEST_F(ProxyTest, HalfCloseReachesTheServerWhichCanStillAnswer) {
  TcpServer server([](int fd) {
    std::string got = ReadToEof(fd);  // returns when the client's FIN arrives through the proxy
    WriteAll(fd, "got " + got);
  });
  uint16_t port = MakeProxy("half", server);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "abc"));
  ::shutdown(fd, SHUT_WR);
  EXPECT_EQ(ReadToEof(fd), "got abc");
  ::close(fd);
}

TEST_F(ProxyTest, ResetFromTheServerIsPassedOnAsAReset) {
  TcpServer server([](int fd) {
    char c;
    if (::read(fd, &c, 1) != 1) return;
    linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);  // close() now sends RST
  });
  uint16_t port = MakeProxy("rst2", server);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "x"));
  int error = 0;
  ReadToEof(fd, &error);
  EXPECT_EQ(error, ECONNRESET);
  ::close(fd);
}

// A read shorter than the buffer makes a direction wait for readability instead of reading
// until EAGAIN: every later message (and a FIN right behind a short message) must still come.
TEST_F(ProxyTest, ManySmallRoundTripsAndFinRightAfterAShortMessage) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("pingpong", server);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 2000; ++i) {
    const std::string msg = RandomBytes(1 + (i * 37) % 3000, static_cast<uint64_t>(i));
    ASSERT_TRUE(WriteAll(fd, msg));
    ASSERT_EQ(ReadUpTo(fd, msg.size()), msg) << "round trip " << i;
  }
  ::close(fd);
  for (int i = 0; i < 20; ++i) {
    int c = ConnectTo(port);
    ASSERT_GE(c, 0);
    const std::string msg = RandomBytes(1 + i * 11, 100 + static_cast<uint64_t>(i));
    ASSERT_TRUE(WriteAll(c, msg));
    ::shutdown(c, SHUT_WR);  // FIN directly behind the data
    EXPECT_EQ(ReadToEof(c), msg) << "connection " << i;
    ::close(c);
  }
  auto stats = engine_.Stats("pingpong");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->connections_total, 21u);
}

// --busy-poll: the loops poll instead of sleeping right after work, always or only while the
// machine has a CPU to spare (the default); relaying, timers (a latency toxic) and shutdown must
// behave exactly as with the blocking loop.
TEST(BusyPollProxyTest, RelaysByteExactHonoursToxicsAndStops) {
  TcpServer server(EchoHandler);
  for (auto [threads, gated] : {std::pair{1, false}, std::pair{2, false}, std::pair{1, true}}) {
    SCOPED_TRACE("threads=" + std::to_string(threads) + " gated=" + std::to_string(gated));
    proxy::Engine::Options o;
    o.threads = threads;
    o.seed = 7;
    o.busy_poll = std::chrono::microseconds(200);
    o.busy_poll_when_cpu_spare = gated;
    auto engine = std::make_unique<proxy::Engine>(o);
    uint16_t port = CreateProxyOn(*engine, "bp", server.port());
    ASSERT_NE(port, 0);

    int fd = ConnectTo(port);
    ASSERT_GE(fd, 0);
    for (int i = 0; i < 50; ++i) {  // ping-pong: each answer arrives while the loop polls
      std::string msg = "ping " + std::to_string(i);
      ASSERT_TRUE(WriteAll(fd, msg));
      ASSERT_EQ(ReadUpTo(fd, msg.size()), msg);
    }
    const std::string data = RandomBytes(2 << 20, 3);
    std::string back = SendThenReadToEof(fd, data);
    ::close(fd);
    EXPECT_TRUE(back == data) << "threads=" << threads << ": " << back.size() << " bytes back";

    auto toxic = proxy::ToxicFromJson(Json{{"type", "latency"}, {"attributes", {{"latency", 30}}}});
    ASSERT_TRUE(toxic.has_value());
    ASSERT_TRUE(engine->AddToxic("bp", *toxic).has_value());
    fd = ConnectTo(port);
    ASSERT_GE(fd, 0);
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(WriteAll(fd, "late"));
    EXPECT_EQ(ReadUpTo(fd, 4), "late");
    EXPECT_GE(MillisSince(start), 30.0);  // a lower bound only: never asserts on an upper one
    ::close(fd);
    engine.reset();  // joins the polling loops: must return
  }
}

}  // namespace
}  // namespace chaosrun::testing
