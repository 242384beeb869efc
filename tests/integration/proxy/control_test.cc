// Control while connections are open: toxics changed mid-stream, disable/enable, delete, errors,
// metrics, backpressure.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "proxy_fixture.h"

namespace chaosrun::testing {
namespace {

TEST_F(ProxyTest, ToxicsChangedMidStreamLoseDuplicateOrReorderNothing) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("mid", server);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  const std::string data = RandomBytes(3 << 20, 5);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (size_t off = 0; off < data.size(); off += 262144) {
      EXPECT_TRUE(WriteAll(fd, data.substr(off, 262144)));
    }
    ::shutdown(fd, SHUT_WR);
  });
  std::thread control([&] {
    const Json steps[] = {
        {{"type", "latency"}, {"name", "lat"}, {"attributes", {{"latency", 5}, {"jitter", 3}}}},
        {{"type", "slicer"},
         {"name", "sl"},
         {"stream", "upstream"},
         {"attributes", {{"average_size", 4000}, {"size_variation", 1000}}}},
        {{"type", "bandwidth"}, {"name", "bw"}, {"attributes", {{"rate", 20000}}}},
    };
    int round = 0;
    while (!done) {
      for (const Json& s : steps) AddToxic("mid", s);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      (void)engine_.UpdateToxic("mid", "lat", Json{{"attributes", {{"latency", 1 + round % 4}}}});
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      for (const char* n : {"lat", "sl", "bw"}) EXPECT_TRUE(engine_.RemoveToxic("mid", n).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
      ++round;
    }
  });
  std::string back = ReadToEof(fd);
  done = true;
  writer.join();
  control.join();
  ::close(fd);
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
}

TEST_F(ProxyTest, DisabledProxyRefusesAndCutsThenReEnabledAccepts) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("down", server);
  int open = ConnectTo(port);
  ASSERT_GE(open, 0);
  ASSERT_TRUE(WriteAll(open, "a"));
  ASSERT_EQ(ReadUpTo(open, 1), "a");
  auto r = engine_.UpdateProxy("down", Json{{"enabled", false}});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ((*r)["enabled"], false);
  EXPECT_EQ(ReadToEof(open), "");  // the open connection is cut
  ::close(open);
  EXPECT_EQ(ConnectTo(port), -1);  // refused
  ASSERT_TRUE(engine_.UpdateProxy("down", Json{{"enabled", true}}).has_value());
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "back"));
  EXPECT_EQ(ReadUpTo(fd, 4), "back");
  ::close(fd);
}

TEST_F(ProxyTest, ResetEnablesEveryProxyAndRemovesEveryToxic) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("r", server);
  AddToxic("r", Json{{"type", "latency"}, {"attributes", {{"latency", 10}}}});
  ASSERT_TRUE(engine_.UpdateProxy("r", Json{{"enabled", false}}).has_value());
  engine_.Reset();
  auto p = engine_.GetProxy("r");
  EXPECT_EQ((*p)["enabled"], true);
  EXPECT_TRUE((*p)["toxics"].empty());
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ::close(fd);
}

TEST_F(ProxyTest, DeleteProxyClosesItsConnectionsAndListener) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("gone", server);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "z"));
  ASSERT_EQ(ReadUpTo(fd, 1), "z");
  ASSERT_TRUE(engine_.DeleteProxy("gone").ok());
  EXPECT_EQ(ReadToEof(fd), "");
  ::close(fd);
  EXPECT_EQ(ConnectTo(port), -1);
  EXPECT_EQ(engine_.GetProxy("gone").error().code(), Code::kNotFound);
  EXPECT_TRUE(engine_.ListProxies().empty());
}

TEST_F(ProxyTest, BindConflictIsAnIoErrorNamingTheAddress) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("first", server);
  proxy::ProxySpec spec;
  spec.name = "second";
  spec.listen = "127.0.0.1:" + std::to_string(port);
  spec.upstream = "127.0.0.1:1";
  auto r = engine_.CreateProxy(spec);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kIoError);
  EXPECT_NE(r.error().message().find(spec.listen), std::string::npos) << r.error().message();
  EXPECT_EQ(engine_.GetProxy("second").error().code(), Code::kNotFound);
}

TEST_F(ProxyTest, UnreachableUpstreamClosesTheClientAndCountsARefusal) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("nowhere", server);
  // A port that is bound but not listening refuses connections, and nobody else can take it.
  int bound = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(bound, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(bound, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string refused = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  ASSERT_TRUE(engine_.UpdateProxy("nowhere", Json{{"upstream", refused}}).has_value());
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadToEof(fd), "");
  ::close(fd);
  EXPECT_TRUE(Eventually([&] { return engine_.Stats("nowhere")->connections_refused == 1; }));
  ::close(bound);
}

TEST_F(ProxyTest, PrometheusTextHasEveryCounterPerProxy) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("m", server);
  AddToxic("m", Json{{"type", "latency"}, {"attributes", {{"latency", 1}}}});
  int fd = ConnectTo(port);
  ASSERT_TRUE(WriteAll(fd, "hello"));
  ASSERT_EQ(ReadUpTo(fd, 5), "hello");
  ::close(fd);
  ASSERT_TRUE(Eventually([&] { return engine_.Stats("m")->connections_active == 0; }));
  std::string text = engine_.PrometheusText();
  for (const char* want : {
           "# HELP chaosrun_proxy_connections_total ",
           "# TYPE chaosrun_proxy_connections_total counter\n",
           "chaosrun_proxy_connections_total{proxy=\"m\"} 1\n",
           "# TYPE chaosrun_proxy_connections_active gauge\n",
           "chaosrun_proxy_connections_active{proxy=\"m\"} 0\n",
           "chaosrun_proxy_bytes_total{proxy=\"m\",direction=\"upstream\"} 5\n",
           "chaosrun_proxy_bytes_total{proxy=\"m\",direction=\"downstream\"} 5\n",
           "chaosrun_proxy_toxics_active{proxy=\"m\"} 1\n",
           "chaosrun_proxy_enabled{proxy=\"m\"} 1\n",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

TEST(ProxyBackpressureTest, SmallBufferStillRelaysEverythingThroughLatency) {
  proxy::Engine::Options o;
  o.max_buffer_bytes = 16 * 1024;
  o.read_chunk_bytes = 4096;
  o.seed = 1;
  proxy::Engine engine(o);
  TcpServer server(EchoHandler);
  proxy::ProxySpec spec{"bp", "127.0.0.1:0", "127.0.0.1:" + std::to_string(server.port()), true};
  auto r = engine.CreateProxy(spec);
  ASSERT_TRUE(r.has_value());
  std::string listen = (*r)["listen"];
  auto t = proxy::ToxicFromJson(Json{{"type", "latency"}, {"attributes", {{"latency", 1}}}});
  ASSERT_TRUE(engine.AddToxic("bp", *t).has_value());
  int fd = ConnectTo(static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1))));
  ASSERT_GE(fd, 0);
  const std::string data = RandomBytes(2 << 20, 6);
  std::string back = SendThenReadToEof(fd, data);
  ::close(fd);
  EXPECT_TRUE(back == data) << back.size();
}

}  // namespace
}  // namespace chaosrun::testing

namespace chaosrun::testing {
namespace {

// DeleteProxy cuts the proxy's connections by posting to their loops; an engine destroyed right
// after must still close them (a connection and its proxy refer to each other: nothing else
// would), so the client sees EOF instead of a socket left open until the process exits.
TEST(ProxyEngineLifetime, DestroyedRightAfterDeleteClosesTheDeletedProxysConnections) {
  TcpServer server(EchoHandler);
  for (int round = 0; round < 20; ++round) {
    proxy::Engine::Options o;
    o.threads = 2;
    auto engine = std::make_unique<proxy::Engine>(o);
    uint16_t port = CreateProxyOn(*engine, "gone", server.port());
    ASSERT_NE(port, 0);
    int fd = ConnectTo(port);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(WriteAll(fd, "x"));
    ASSERT_EQ(ReadUpTo(fd, 1), "x");  // relayed: the connection is registered on its loop
    ASSERT_TRUE(engine->DeleteProxy("gone").ok());
    engine.reset();
    char c;
    ssize_t n = ::recv(fd, &c, 1, 0);  // 5 s receive timeout (ConnectTo): -1 if left open
    EXPECT_EQ(n, 0) << "round " << round << ": errno " << errno;
    ::close(fd);
  }
}

}  // namespace
}  // namespace chaosrun::testing
