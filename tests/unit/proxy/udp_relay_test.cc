// The UDP relay through the engine, with real UDP sockets on 127.0.0.1: an echo upstream on its
// own thread, a client socket, and the proxy's counters to know when every datagram has been
// dealt with (no sleeping; every wait has a generous cap that a working relay never nears).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "proxy/engine.h"

namespace chaosrun::proxy {
namespace {

constexpr auto kUdpGiveUp = std::chrono::seconds(10);

int BoundUdpSocket(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// Echoes every datagram back to its sender and remembers what it received.
class UdpEcho {
 public:
  UdpEcho() {
    fd_ = BoundUdpSocket(&port_);
    thread_ = std::thread([this] { Run(); });
  }
  ~UdpEcho() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::multiset<std::string> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void Run() {
    char buffer[65536];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;  // wakes to check stop_
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      ssize_t n =
          ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) continue;
      {
        std::lock_guard lock(mu_);
        received_.insert(std::string(buffer, static_cast<size_t>(n)));
      }
      ::sendto(fd_, buffer, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::multiset<std::string> received_;
};

class UdpClient {
 public:
  explicit UdpClient(uint16_t proxy_port) {
    uint16_t unused;
    fd_ = BoundUdpSocket(&unused);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(proxy_port);
    ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  ~UdpClient() { ::close(fd_); }
  void Send(const std::string& s) {
    ASSERT_EQ(::send(fd_, s.data(), s.size(), 0), static_cast<ssize_t>(s.size()));
  }
  // The next datagram, or nullopt after `cap`.
  std::optional<std::string> Receive(std::chrono::milliseconds cap = kUdpGiveUp) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(cap.count())) <= 0) return std::nullopt;
    char buffer[65536];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
};

uint16_t PortOf(const Json& proxy) {
  std::string listen = proxy["listen"].get<std::string>();
  return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

// Waits until the proxy has dealt with `n` datagrams client -> upstream (relayed or dropped).
bool UpstreamHandled(Engine& engine, const std::string& proxy, uint64_t n) {
  auto give_up = std::chrono::steady_clock::now() + kUdpGiveUp;
  while (std::chrono::steady_clock::now() < give_up) {
    auto s = engine.Stats(proxy);
    if (s && s->datagrams[0] + s->datagrams_dropped[0] >= n) return true;
    std::this_thread::yield();
  }
  return false;
}

Result<Json> MakeUdpProxy(Engine& engine, const std::string& name, const std::string& upstream,
                          std::chrono::milliseconds idle = std::chrono::milliseconds(60000)) {
  ProxySpec spec;
  spec.name = name;
  spec.listen = "127.0.0.1:0";
  spec.upstream = upstream;
  spec.protocol = Protocol::kUdp;
  spec.idle_timeout = idle;
  return engine.CreateProxy(spec);
}

ToxicSpec UdpToxic(const std::string& type, Stream stream, double toxicity = 1.0,
                   Json attributes = Json::object(), std::optional<uint64_t> seed = {}) {
  ToxicSpec t;
  t.type = type;
  t.stream = stream;
  t.toxicity = toxicity;
  t.attributes = std::move(attributes);
  t.seed = seed;
  return t;
}

TEST(UdpRelayTest, RelaysBothWaysAndListsProtocol) {
  UdpEcho echo;
  Engine engine;
  auto created = MakeUdpProxy(engine, "statsd", echo.address());
  ASSERT_TRUE(created.has_value()) << created.error().message();
  EXPECT_EQ((*created)["protocol"], "udp");
  EXPECT_EQ((*created)["idle_timeout"], 60000);
  UdpClient client(PortOf(*created));
  for (int k = 0; k < 5; ++k) {
    std::string m = "requests:" + std::to_string(k) + "|c";
    client.Send(m);
    EXPECT_EQ(client.Receive(), m);
  }
  // A reply is counted just after it is sent: wait for the count rather than race it.
  auto give_up = std::chrono::steady_clock::now() + kUdpGiveUp;
  while (engine.Stats("statsd")->datagrams[1] < 5 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  auto s = engine.Stats("statsd");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->datagrams[0], 5u);
  EXPECT_EQ(s->datagrams[1], 5u);
  EXPECT_EQ(s->connections_total, 1u);  // one client address, one mapping
  // Two clients get their own replies.
  UdpClient other(PortOf(*created));
  other.Send("other");
  client.Send("mine");
  EXPECT_EQ(other.Receive(), "other");
  EXPECT_EQ(client.Receive(), "mine");
  EXPECT_EQ(engine.Stats("statsd")->connections_total, 2u);
}

TEST(UdpRelayTest, SeededDropIsExactlyReproducibleAndWithinBounds) {
  constexpr int kN = 400;
  std::set<std::set<std::string>> patterns;
  for (int run = 0; run < 2; ++run) {
    UdpEcho echo;
    Engine engine;
    auto created = MakeUdpProxy(engine, "drop", echo.address());
    ASSERT_TRUE(created.has_value());
    ASSERT_TRUE(
        engine.AddToxic("drop", UdpToxic("timeout", Stream::kUpstream, 0.25, Json::object(), 31337))
            .has_value());
    UdpClient client(PortOf(*created));
    uint64_t relayed = 0;
    for (int k = 0; k < kN; ++k) {
      client.Send("d" + std::to_string(k));
      // One at a time: no datagram is lost to a full socket buffer, only to the toxic.
      ASSERT_TRUE(UpstreamHandled(engine, "drop", static_cast<uint64_t>(k + 1)));
      if (engine.Stats("drop")->datagrams[0] > relayed) {
        ++relayed;
        ASSERT_EQ(client.Receive(), "d" + std::to_string(k));  // the echo, unharmed
      }
    }
    auto s = engine.Stats("drop");
    // 25 % of 400: 100 expected, standard deviation ~8.7.
    EXPECT_GT(s->datagrams_dropped[0], 60u);
    EXPECT_LT(s->datagrams_dropped[0], 140u);
    EXPECT_EQ(s->datagrams[0] + s->datagrams_dropped[0], static_cast<uint64_t>(kN));
    auto got = echo.received();
    EXPECT_EQ(got.size(), s->datagrams[0]);
    patterns.insert(std::set<std::string>(got.begin(), got.end()));
  }
  EXPECT_EQ(patterns.size(), 1u);  // the same datagrams survived in both runs
}

TEST(UdpRelayTest, BlackholeDropsAllAndRemovalRestoresFlow) {
  UdpEcho echo;
  Engine engine;
  auto created = MakeUdpProxy(engine, "hole", echo.address());
  ASSERT_TRUE(created.has_value());
  auto toxic = engine.AddToxic("hole", UdpToxic("timeout", Stream::kUpstream));
  ASSERT_TRUE(toxic.has_value());
  UdpClient client(PortOf(*created));
  for (int k = 0; k < 20; ++k) client.Send("lost" + std::to_string(k));
  ASSERT_TRUE(UpstreamHandled(engine, "hole", 20));
  EXPECT_EQ(engine.Stats("hole")->datagrams_dropped[0], 20u);
  EXPECT_EQ(engine.Stats("hole")->datagrams[0], 0u);
  EXPECT_TRUE(echo.received().empty());
  ASSERT_TRUE(engine.RemoveToxic("hole", "timeout_upstream").ok());
  // A datagram sent after the removal returned passes.
  client.Send("back");
  EXPECT_EQ(client.Receive(), "back");
  EXPECT_EQ(engine.Stats("hole")->datagrams_dropped[0], 20u);
}

TEST(UdpRelayTest, CorruptChangesBytesDownstream) {
  UdpEcho echo;
  Engine engine;
  auto created = MakeUdpProxy(engine, "garble", echo.address());
  ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(engine
                  .AddToxic("garble", UdpToxic("corrupt", Stream::kDownstream, 1.0,
                                               Json{{"rate", 1000000}}, 5))
                  .has_value());
  UdpClient client(PortOf(*created));
  // A datagram sent after AddToxic returned meets the toxic.
  std::string m = "temperature:21.5|g";
  client.Send(m);
  auto reply = client.Receive();
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->size(), m.size());
  for (size_t i = 0; i < m.size(); ++i) EXPECT_NE((*reply)[i], m[i]) << i;
  EXPECT_EQ(echo.received().count(m), 1u);  // upstream got it intact
}

TEST(UdpRelayTest, LatencyHoldsDatagramsAtLeastTheDelay) {
  UdpEcho echo;
  Engine engine;
  auto created = MakeUdpProxy(engine, "slow", echo.address());
  ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(
      engine.AddToxic("slow", UdpToxic("latency", Stream::kDownstream, 1.0, Json{{"latency", 30}}))
          .has_value());
  UdpClient client(PortOf(*created));
  auto start = std::chrono::steady_clock::now();
  client.Send("a");
  client.Send("b");
  EXPECT_EQ(client.Receive(), "a");  // order kept under a fixed delay
  EXPECT_EQ(client.Receive(), "b");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
}

TEST(UdpRelayTest, IdleMappingsAreDropped) {
  UdpEcho echo;
  Engine engine;
  auto created = MakeUdpProxy(engine, "idle", echo.address(), std::chrono::milliseconds(20));
  ASSERT_TRUE(created.has_value());
  UdpClient client(PortOf(*created));
  client.Send("x");
  ASSERT_EQ(client.Receive(), "x");
  auto give_up = std::chrono::steady_clock::now() + kUdpGiveUp;
  while (engine.Stats("idle")->connections_active > 0 &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  EXPECT_EQ(engine.Stats("idle")->connections_active, 0u);
  client.Send("y");  // a new mapping
  EXPECT_EQ(client.Receive(), "y");
  EXPECT_EQ(engine.Stats("idle")->connections_total, 2u);
}

TEST(UdpRelayTest, RefusesStreamToxicsAndBadSpecs) {
  UdpEcho echo;
  Engine engine;
  ASSERT_TRUE(MakeUdpProxy(engine, "u", echo.address()).has_value());
  auto slicer = engine.AddToxic(
      "u", UdpToxic("slicer", Stream::kDownstream, 1.0, Json{{"average_size", 10}}));
  ASSERT_FALSE(slicer.has_value());
  EXPECT_NE(slicer.error().message().find("type: slicer does not apply to a udp proxy"),
            std::string::npos);
  auto bad = ProxyFromJson(Json{{"name", "x"}, {"upstream", "a:1"}, {"protocol", "sctp"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "protocol: must be \"tcp\" or \"udp\"");
  auto idle = ProxyFromJson(Json{{"name", "x"}, {"upstream", "a:1"}, {"idle_timeout", 0}});
  ASSERT_FALSE(idle.has_value());
  EXPECT_EQ(idle.error().message(), "idle_timeout: must be a positive integer (milliseconds)");
  // Disabling closes the port; enabling binds again.
  ASSERT_TRUE(engine.UpdateProxy("u", Json{{"enabled", false}}).has_value());
  auto again = engine.UpdateProxy("u", Json{{"enabled", true}});
  ASSERT_TRUE(again.has_value());
  UdpClient client(PortOf(*again));
  client.Send("hi");
  EXPECT_EQ(client.Receive(), "hi");
}

}  // namespace
}  // namespace chaosrun::proxy
