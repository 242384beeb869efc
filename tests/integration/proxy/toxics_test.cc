// Each toxic's observable behaviour on loopback. Time is only ever checked as a lower bound.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "proxy_fixture.h"

namespace chaosrun::testing {
namespace {

// A server that sends `data` as soon as a client connects, then closes.
std::function<void(int)> SendThenClose(std::string data) {
  return [data](int fd) {
    WriteAll(fd, data);
    ::shutdown(fd, SHUT_WR);
    char buf[256];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
  };
}

bool ReadableWithin(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

TEST_F(ProxyTest, BandwidthTakesAtLeastSizeOverRate) {
  const std::string data = RandomBytes(200 * 1000, 2);
  TcpServer server(SendThenClose(data));
  uint16_t port = MakeProxy("bw", server);
  AddToxic("bw", Json{{"type", "bandwidth"}, {"attributes", {{"rate", 1000}}}});  // 1 MB/s
  auto start = std::chrono::steady_clock::now();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  std::string got = ReadToEof(fd);
  double ms = MillisSince(start);
  ::close(fd);
  EXPECT_TRUE(got == data);
  EXPECT_GE(ms, 200.0);
}

TEST_F(ProxyTest, SlowCloseDelaysTheCloseNotTheData) {
  TcpServer server(SendThenClose("bye"));
  uint16_t port = MakeProxy("sc", server);
  AddToxic("sc", Json{{"type", "slow_close"}, {"attributes", {{"delay", 100}}}});
  auto start = std::chrono::steady_clock::now();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadToEof(fd), "bye");
  EXPECT_GE(MillisSince(start), 100.0);
  ::close(fd);
}

TEST_F(ProxyTest, TimeoutStopsDataThenClosesTheConnection) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("to", server);
  AddToxic("to", Json{{"type", "timeout"}, {"attributes", {{"timeout", 100}}}});
  auto start = std::chrono::steady_clock::now();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "ping"));
  int error = -1;
  EXPECT_EQ(ReadToEof(fd, &error), "");  // the echo never comes back
  EXPECT_EQ(error, 0);                   // a close, not a reset
  EXPECT_GE(MillisSince(start), 100.0);
  ::close(fd);
}

TEST_F(ProxyTest, TimeoutZeroHoldsDataUntilRemovedWithoutLosingIt) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("hold", server);
  AddToxic("hold", Json{{"type", "timeout"}, {"attributes", {{"timeout", 0}}}});
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "held bytes"));
  EXPECT_FALSE(ReadableWithin(fd, 150));  // held (the connection stays open)
  ASSERT_TRUE(engine_.RemoveToxic("hold", "timeout_downstream").ok());
  EXPECT_EQ(ReadUpTo(fd, 10), "held bytes");
  ::close(fd);
}

TEST_F(ProxyTest, HeldDataSurvivesBothPeersFinishingUntilTheToxicIsRemoved) {
  // Nothing is pending on the connection while the data is held and both sides sent FIN: the
  // engine must keep it alive (it used to be freed, dropping the held bytes).
  const std::string data = RandomBytes(100000, 4);
  std::atomic<bool> server_done{false};
  TcpServer server([&](int fd) {
    SendThenClose(data)(fd);
    server_done = true;
  });
  uint16_t port = MakeProxy("held", server);
  AddToxic("held", Json{{"type", "timeout"}, {"attributes", {{"timeout", 0}}}});
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ::shutdown(fd, SHUT_WR);
  ASSERT_TRUE(Eventually([&] { return server_done.load(); }));
  // Give a lost connection 200 ms to show (a bounded wait; nothing is asserted on time).
  Eventually([&] { return engine_.Stats("held")->connections_active == 0; },
             std::chrono::milliseconds(200));
  EXPECT_EQ(engine_.Stats("held")->connections_active, 1u);
  ASSERT_TRUE(engine_.RemoveToxic("held", "timeout_downstream").ok());
  EXPECT_TRUE(ReadToEof(fd) == data);
  ::close(fd);
}

TEST_F(ProxyTest, ResetPeerResetsTheClient) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("rst", server);
  AddToxic("rst",
           Json{{"type", "reset_peer"}, {"stream", "upstream"}, {"attributes", {{"timeout", 50}}}});
  auto start = std::chrono::steady_clock::now();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "x"));
  int error = 0;
  ReadToEof(fd, &error);
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_GE(MillisSince(start), 50.0);
  ::close(fd);
}

TEST_F(ProxyTest, SlicerDeliversTheSameBytesInMoreReads) {
  const std::string data = RandomBytes(10000, 3);
  TcpServer server(SendThenClose(data));
  uint16_t port = MakeProxy("slice", server);
  AddToxic("slice",
           Json{{"type", "slicer"},
                {"attributes", {{"average_size", 100}, {"size_variation", 20}, {"delay", 2000}}}});
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  int reads = 0;
  std::string got = ReadToEof(fd, nullptr, &reads);
  ::close(fd);
  EXPECT_TRUE(got == data);
  EXPECT_GE(reads, 20);  // ~100 slices 2 ms apart; a plain relay delivers this in one or two
}

TEST_F(ProxyTest, LimitDataClosesAfterExactlyTheLimit) {
  const std::string data = RandomBytes(5000, 4);
  TcpServer server(SendThenClose(data));
  uint16_t port = MakeProxy("limit", server);
  AddToxic("limit", Json{{"type", "limit_data"}, {"attributes", {{"bytes", 1234}}}});
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  std::string got = ReadToEof(fd);
  ::close(fd);
  EXPECT_TRUE(got == data.substr(0, 1234)) << got.size();
}

TEST_F(ProxyTest, ToxicityZeroSparesAndOneHitsEveryConnection) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("tox", server);
  AddToxic("tox", Json{{"type", "limit_data"}, {"toxicity", 0.0}, {"attributes", {{"bytes", 2}}}});
  for (int i = 0; i < 3; ++i) {
    int fd = ConnectTo(port);
    ASSERT_TRUE(WriteAll(fd, "hello"));
    EXPECT_EQ(ReadUpTo(fd, 5), "hello");
    ::close(fd);
  }
  ASSERT_TRUE(engine_.UpdateToxic("tox", "limit_data_downstream", Json{{"toxicity", 1.0}}));
  for (int i = 0; i < 3; ++i) {
    int fd = ConnectTo(port);
    ASSERT_TRUE(WriteAll(fd, "hello"));
    EXPECT_EQ(ReadToEof(fd), "he");
    ::close(fd);
  }
}

TEST_F(ProxyTest, DurationExpiresTheToxicAndReleasesHeldData) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("dur", server);
  AddToxic("dur", Json{{"type", "timeout"}, {"duration", 100}, {"attributes", {{"timeout", 0}}}});
  EXPECT_EQ((*engine_.GetProxy("dur"))["toxics"][0]["duration"], 100);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "later"));
  EXPECT_TRUE(Eventually([&] { return (*engine_.GetProxy("dur"))["toxics"].empty(); }));
  EXPECT_EQ(ReadUpTo(fd, 5), "later");
  EXPECT_EQ(engine_.Stats("dur")->toxics_active, 0u);
  ::close(fd);
}

TEST_F(ProxyTest, NoopPassesEveryByteUnchangedBothWays) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("noop", server);
  AddToxic("noop", Json{{"type", "noop"}, {"stream", "upstream"}});
  AddToxic("noop", Json{{"type", "noop"}});
  auto p = engine_.GetProxy("noop");
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ((*p)["toxics"].size(), 2u);
  EXPECT_EQ((*p)["toxics"][0]["name"], "noop_upstream");
  EXPECT_EQ((*p)["toxics"][1]["attributes"], Json::object());
  const std::string data = RandomBytes(2 << 20, 9);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  std::string back = SendThenReadToEof(fd, data);
  ::close(fd);
  EXPECT_TRUE(back == data) << back.size();
  EXPECT_EQ(engine_.Stats("noop")->toxics_active, 2u);
}

}  // namespace
}  // namespace chaosrun::testing
