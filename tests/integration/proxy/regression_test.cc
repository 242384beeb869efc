// Regressions found in review of the fault proxy: SIGPIPE from splice(2), TCP urgent data on the
// splice path, reset_peer over held data, slicer fairness, accept vs disable, attribute
// overflow, toxicity re-roll on update, limit_data's close. Time is only checked as a lower bound
// or as a generous "did not hang" guard.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "proxy_fixture.h"

namespace chaosrun::testing {
namespace {

std::unique_ptr<proxy::Engine> MakeEngine(int threads, size_t max_buffer_bytes = 32 << 20) {
  proxy::Engine::Options o;
  o.threads = threads;
  o.seed = 42;
  o.max_buffer_bytes = max_buffer_bytes;
  return std::make_unique<proxy::Engine>(o);
}

Status AddOn(proxy::Engine& engine, const std::string& proxy, const Json& toxic) {
  auto spec = proxy::ToxicFromJson(toxic);
  if (!spec) return spec.error();
  auto r = engine.AddToxic(proxy, *spec);
  return r ? Status::Ok() : r.error();
}

// Closes a descriptor at the end of its scope (so a failed assertion leaks nothing).
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  operator int() const { return fd_; }

 private:
  int fd_;
};

// A client socket whose receive buffer is set before connecting (so the window stays small),
// with a send timeout too.
int ConnectSmallWindow(uint16_t port, int rcvbuf, int recv_timeout_ms) {
  int fd = ConnectTo(port, recv_timeout_ms, rcvbuf);
  if (fd < 0) return -1;
  timeval tv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

// An upstream that accepts and holds every connection (never reads, never writes) until Drop():
// a connection through the proxy stays open on its own.
class HoldingServer {
 public:
  HoldingServer() {
    listen_fd_ = ListenOnLoopback(4096, port_);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        std::lock_guard lock(mu_);
        if (fd >= 0) held_.push_back(fd);
      }
    });
  }
  ~HoldingServer() {
    stop_ = true;
    thread_.join();
    Drop();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  void Drop() {
    std::lock_guard lock(mu_);
    for (int fd : held_) ::close(fd);
    held_.clear();
  }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<int> held_;
  std::thread thread_;
};

class ProxyRegressionTest : public ProxyTest {
 protected:
  // The SIGPIPE scenario; returns what went wrong ("" when all is well).
  std::string SpliceIntoResetClient() {
    std::atomic<bool> stop{false}, saw_fin{false};
    // First byte 'b': stream until the proxy closes (noting the client's FIN); 'e': echo.
    TcpServer server([&](int fd) {
      char mode = 0;
      if (::read(fd, &mode, 1) != 1) return;
      if (mode == 'e') return EchoHandler(fd);
      const std::string chunk(1 << 16, 'z');
      while (!stop) {
        pollfd p{fd, static_cast<short>(saw_fin ? POLLOUT : POLLIN | POLLOUT), 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        if (p.revents & POLLIN) {
          char buf[256];
          ssize_t n = ::read(fd, buf, sizeof buf);
          if (n < 0) return;
          if (n == 0) saw_fin = true;
        }
        if (p.revents & (POLLERR | POLLHUP)) return;
        if ((p.revents & POLLOUT) &&
            ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
            errno != EAGAIN && errno != EINTR) {
          return;
        }
      }
    });
    std::string error;
    uint16_t port = MakeProxy("sigpipe", server);
    int c = ConnectTo(port);
    if (c < 0 || !WriteAll(c, "b")) error = "cannot connect";
    // 20 MiB: the downstream direction has long switched to splice(2).
    if (error.empty() && ReadUpTo(c, 20 << 20).size() != (20u << 20)) error = "bulk read short";
    if (error.empty()) {
      ::shutdown(c, SHUT_WR);  // the proxy's client socket goes to CLOSE_WAIT ...
      if (!Eventually([&] { return saw_fin.load(); })) error = "FIN not relayed";
    }
    if (c >= 0) ::close(c);  // ... and this RST (unread data) makes its next splice say EPIPE
    if (error.empty() &&
        !Eventually([&] { return engine_.Stats("sigpipe")->connections_active == 0; })) {
      error = "the connection was not closed";
    }
    if (error.empty()) {  // the engine still relays
      int fresh = ConnectTo(port);
      if (fresh < 0 || !WriteAll(fresh, "ehello") || ReadUpTo(fresh, 5) != "hello") {
        error = "a fresh connection is not relayed";
      }
      if (fresh >= 0) ::close(fresh);
    }
    stop = true;
    return error;
  }
};

// Guards: splice(2) into a client that reset its socket (EPIPE) must not kill the process with
// SIGPIPE, and the engine must go on relaying.
TEST_F(ProxyRegressionTest, SpliceIntoAResetClientRaisesNoSigpipe) {
  // In a re-executed child, so that a SIGPIPE fails this test instead of killing the binary.
  // SIGPIPE keeps its default disposition there: nothing in this binary ignores it.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::string error = SpliceIntoResetClient();
        std::fprintf(stderr, "%s\n", error.c_str());
        std::_Exit(error.empty() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Guards: urgent data (MSG_OOB) in a spliced stream neither stalls the direction nor loses the
// bytes after it, whether the client then waits or sends its FIN right behind them.
TEST_F(ProxyRegressionTest, UrgentDataOnTheSplicePathLosesNothingAfterIt) {
  const std::string before = RandomBytes(8 << 20, 5), after = RandomBytes(100000, 6);
  for (bool fin_right_behind : {false, true}) {
    SCOPED_TRACE(fin_right_behind ? "FIN right behind" : "client waits");
    std::atomic<bool> done{false};
    std::string got;
    TcpServer server([&](int fd) {
      got = ReadToEof(fd);
      done = true;
    });
    const std::string name = fin_right_behind ? "oob-fin" : "oob";
    uint16_t port = MakeProxy(name, server);
    Socket fd(ConnectTo(port));
    ASSERT_GE(fd, 0);
    auto upstream_bytes = [&] { return engine_.Stats(name)->bytes_upstream; };
    ASSERT_TRUE(WriteAll(fd, before));  // 8 MiB: the upstream direction is on splice(2)
    ASSERT_TRUE(Eventually([&] { return upstream_bytes() >= before.size(); }));
    ASSERT_EQ(::send(fd, "!", 1, MSG_OOB | MSG_NOSIGNAL), 1);
    ASSERT_TRUE(WriteAll(fd, after));
    if (!fin_right_behind) {
      bool moved = Eventually([&] { return upstream_bytes() >= before.size() + after.size(); });
      EXPECT_TRUE(moved) << "stalled at the urgent mark: " << upstream_bytes() - before.size()
                         << " of " << after.size() << " bytes after it arrived";
    }
    ::shutdown(fd, SHUT_WR);
    ASSERT_TRUE(Eventually([&] { return done.load(); }))
        << "the upstream never saw the end of the stream";
    // The urgent byte itself may be dropped (SO_OOBINLINE off) or passed inline; nothing else.
    EXPECT_TRUE(got == before + after || got == before + "!" + after)
        << got.size() << " bytes arrived, want " << before.size() + after.size() << " (+1)";
  }
}

// Guards: a reset_peer added while an answer is already held (latency) resets the client after
// its timeout, although no new data arrives.
TEST_F(ProxyRegressionTest, ResetPeerAddedOverHeldDataResetsTheClient) {
  auto engine = MakeEngine(1);  // one loop: the barrier below orders events on it
  std::atomic<bool> answered{false};
  TcpServer server([&](int fd) {
    std::string req = ReadUpTo(fd, 7);
    WriteAll(fd, req);
    answered = true;
    ReadToEof(fd);
  });
  TcpServer echo(EchoHandler);
  uint16_t port = CreateProxyOn(*engine, "rp", server.port());
  uint16_t barrier = CreateProxyOn(*engine, "barrier", echo.port());
  ASSERT_TRUE(
      AddOn(*engine, "rp", Json{{"type", "latency"}, {"attributes", {{"latency", 500}}}}).ok());
  Socket fd(ConnectTo(port, 3000));
  Socket b(ConnectTo(barrier));
  ASSERT_GE(fd, 0);
  ASSERT_GE(b, 0);
  ASSERT_TRUE(WriteAll(fd, "request"));
  ASSERT_TRUE(Eventually([&] { return answered.load(); }));
  // A round trip through another proxy on the same loop: the answer, readable before it, has
  // been read and queued (held by the latency) by the time it returns.
  ASSERT_TRUE(WriteAll(b, "x"));
  ASSERT_EQ(ReadUpTo(b, 1), "x");
  ASSERT_TRUE(
      AddOn(*engine, "rp", Json{{"type", "reset_peer"}, {"attributes", {{"timeout", 100}}}}).ok());
  int error = 0;
  std::string got = ReadToEof(fd, &error);  // the client sends nothing more
  EXPECT_NE(error, EAGAIN) << "no reset within 3 s (got " << got.size() << " bytes)";
  EXPECT_EQ(error, ECONNRESET) << "got " << got.size() << " bytes, then errno " << error;
}

// Guards: a slicer with 1-byte slices and no delay on a bulk connection does not starve another
// connection on the same loop.
TEST_F(ProxyRegressionTest, OneByteSlicerDoesNotStarveTheLoop) {
  auto engine = MakeEngine(1);
  const size_t kBulk = 256 << 10;
  TcpServer bulk_server([&](int fd) {
    WriteAll(fd, std::string(kBulk, 'x'));
    ::shutdown(fd, SHUT_WR);
    ReadToEof(fd);
  });
  TcpServer echo(EchoHandler);
  uint16_t bulk_port = CreateProxyOn(*engine, "bulk", bulk_server.port());
  uint16_t ping_port = CreateProxyOn(*engine, "ping", echo.port());
  ASSERT_TRUE(
      AddOn(*engine, "bulk",
            Json{{"type", "slicer"},
                 {"attributes", {{"average_size", 1}, {"size_variation", 0}, {"delay", 0}}}})
          .ok());
  Socket ping(ConnectTo(ping_port));
  ASSERT_GE(ping, 0);
  ASSERT_TRUE(WriteAll(ping, "p"));
  ASSERT_EQ(ReadUpTo(ping, 1), "p");
  Socket bulk(ConnectTo(bulk_port, 30000));
  ASSERT_GE(bulk, 0);
  std::atomic<bool> bulk_done{false};
  std::string bulk_got;
  std::thread reader([&] {
    bulk_got = ReadToEof(bulk);
    bulk_done = true;
  });
  Eventually([&] { return engine->Stats("bulk")->bytes_downstream > 0; });  // under way
  // Structural: while the bulk moves 256 KiB byte by byte, pings must keep completing, each while
  // the bulk moves at most 64 KiB (a starved ping waits for hundreds of KiB).
  int pings = 0;
  uint64_t worst = 0;
  while (!bulk_done) {
    uint64_t start = engine->Stats("bulk")->bytes_downstream;
    if (!WriteAll(ping, "p") || ReadUpTo(ping, 1) != "p") break;
    uint64_t moved = engine->Stats("bulk")->bytes_downstream - start;
    if (moved >= kBulk - start) break;  // the bulk finished meanwhile: not a completed ping
    worst = std::max(worst, moved);
    ++pings;
  }
  reader.join();
  EXPECT_EQ(bulk_got.size(), kBulk);
  EXPECT_GE(pings, 20) << "pings completed during the bulk transfer";
  EXPECT_LE(worst, 64u << 10) << "bulk bytes moved during the slowest ping";
}

// Guards (race test: a round that misses the interleaving passes, so it loops): a connection
// accepted while the proxy is being disabled is closed too, never left relaying on it.
TEST_F(ProxyRegressionTest, ConnectionAcceptedDuringDisableIsClosed) {
  HoldingServer upstream;
  uint16_t port = CreateProxyOn(engine_, "race", upstream.port());
  ASSERT_NE(port, 0);
  for (int round = 0; round < 200; ++round) {
    uint64_t base = engine_.Stats("race")->connections_total;
    std::atomic<bool> stop{false};
    std::vector<int> fds[2];
    std::thread connectors[2];
    for (int t = 0; t < 2; ++t) {
      connectors[t] = std::thread([&, t] {
        while (!stop && fds[t].size() < 100) {
          int fd = ConnectTo(port, 2000);
          if (fd < 0) break;  // refused: the listener is closed
          fds[t].push_back(fd);
        }
      });
    }
    // Disable while connections are being accepted.
    Eventually([&] { return engine_.Stats("race")->connections_total >= base + 4; },
               std::chrono::seconds(2));
    auto disabled = engine_.UpdateProxy("race", Json{{"enabled", false}});
    stop = true;
    for (auto& c : connectors) c.join();
    bool drained = Eventually([&] { return engine_.Stats("race")->connections_active == 0; },
                              std::chrono::seconds(5));
    uint64_t active = engine_.Stats("race")->connections_active;
    int open = 0;
    for (auto& v : fds) {
      for (int fd : v) {
        pollfd p{fd, POLLIN, 0};
        char c = 'x';
        // A byte first: a handshake the kernel completed for the client but dropped on the
        // closing listener's side (no socket there at all, nothing for the proxy to close)
        // answers it with a reset, like a closed connection. A connection still relayed passes
        // it to the silent upstream.
        (void)::send(fd, &c, 1, MSG_NOSIGNAL);
        // Closed: EOF or reset. Still relaying: nothing to read (the upstream is silent).
        if (drained && (::poll(&p, 1, 2000) != 1 || ::read(fd, &c, 1) > 0)) ++open;
        ::close(fd);
      }
    }
    upstream.Drop();
    ASSERT_TRUE(disabled.has_value()) << disabled.error().ToString();
    ASSERT_TRUE(drained) << "round " << round << ": " << active
                         << " connection(s) still active on the disabled proxy";
    ASSERT_EQ(open, 0) << "round " << round << ": client connections left open";
    auto enabled = engine_.UpdateProxy("race", Json{{"enabled", true}});
    ASSERT_TRUE(enabled.has_value()) << enabled.error().ToString();
  }
}

// Guards: attribute values whose conversion to time or rate would overflow are rejected with
// kInvalidArgument naming the field; large but sane values are still accepted.
TEST_F(ProxyRegressionTest, HugeAttributeValuesAreRejectedNamingTheField) {
  TcpServer server(EchoHandler);
  MakeProxy("big", server);
  struct Case {
    const char* type;
    Json attributes;
    const char* field;
  };
  const Case rejected[] = {
      {"timeout", Json{{"timeout", int64_t{10'000'000'000'000}}}, "timeout"},
      {"reset_peer", Json{{"timeout", int64_t{10'000'000'000'000}}}, "timeout"},
      {"latency", Json{{"latency", 1e13}}, "latency"},
      {"bandwidth", Json{{"rate", 1e18}}, "rate"},
      {"slicer", Json{{"average_size", 10}, {"delay", int64_t{10'000'000'000'000'000}}}, "delay"},
  };
  for (const Case& c : rejected) {
    Json toxic{{"name", "huge"}, {"type", c.type}, {"attributes", c.attributes}};
    Status s = AddOn(engine_, "big", toxic);
    if (s.ok()) {
      ASSERT_TRUE(engine_.RemoveToxic("big", "huge").ok());
    }
    EXPECT_TRUE(s.code() == Code::kInvalidArgument &&
                s.message().find(c.field) != std::string::npos)
        << toxic.dump() << " -> " << (s.ok() ? "accepted" : s.ToString());
  }
  const Case accepted[] = {
      {"timeout", Json{{"timeout", 86'400'000}}, ""},
      {"reset_peer", Json{{"timeout", 86'400'000}}, ""},
      {"latency", Json{{"latency", 86'400'000}, {"jitter", 3'600'000}}, ""},
      {"bandwidth", Json{{"rate", 100'000'000}}, ""},
      {"slicer", Json{{"average_size", 10}, {"delay", 60'000'000}}, ""},
  };
  for (const Case& c : accepted) {
    Json toxic{{"name", "large"}, {"type", c.type}, {"attributes", c.attributes}};
    Status s = AddOn(engine_, "big", toxic);
    EXPECT_TRUE(s.ok()) << toxic.dump() << " -> " << s.ToString();
    if (s.ok()) {
      ASSERT_TRUE(engine_.RemoveToxic("big", "large").ok());
    }
  }
}

// Guards: updating a toxic rolls its toxicity again on open connections (as Toxiproxy restarts
// it), so toxicity 0 -> 1 takes effect on a connection that was already open.
TEST_F(ProxyRegressionTest, ToxicityRaisedByAnUpdateAppliesToOpenConnections) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("reroll", server);
  Socket fd(ConnectTo(port));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "a"));
  ASSERT_EQ(ReadUpTo(fd, 1), "a");
  AddToxic("reroll", Json{{"name", "lat"},
                          {"type", "latency"},
                          {"toxicity", 0.0},
                          {"attributes", {{"latency", 300}}}});
  ASSERT_TRUE(WriteAll(fd, "b"));
  ASSERT_EQ(ReadUpTo(fd, 1), "b");
  auto updated = engine_.UpdateToxic("reroll", "lat", Json{{"toxicity", 1.0}});
  ASSERT_TRUE(updated.has_value()) << updated.error().ToString();
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WriteAll(fd, "c"));
  EXPECT_EQ(ReadUpTo(fd, 1), "c");
  EXPECT_GE(MillisSince(start), 300.0);
}

// Guards (reviewer's #9): limit_data closes gracefully. Closing a socket with unread input
// sends RST and drops the send queue, so a slow reader that also sent data the proxy never read
// got fewer bytes and a reset; it must get exactly `bytes` bytes, then EOF.
TEST_F(ProxyRegressionTest, LimitDataGivesASlowReaderExactlyTheLimitThenEof) {
  const size_t kLimit = 8 << 20;  // more than the proxy's socket buffers hold: it must wait
  const std::string data = RandomBytes(16 << 20, 8);
  TcpServer server([&](int fd) { WriteAll(fd, data); });  // never reads
  auto engine = MakeEngine(1, 64 << 10);  // small: the proxy soon stops reading the client
  uint16_t port = CreateProxyOn(*engine, "limit", server.port());
  ASSERT_TRUE(
      AddOn(*engine, "limit", Json{{"type", "limit_data"}, {"attributes", {{"bytes", kLimit}}}})
          .ok());
  Socket fd(ConnectSmallWindow(port, 4096, 5000));
  ASSERT_GE(fd, 0);
  // Send until the proxy takes no more (the upstream never reads): from then on the proxy's
  // client socket holds input it has not read.
  const std::string block(64 << 10, 'c');
  for (size_t sent = 0;;) {
    ssize_t n = ::send(fd, block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ASSERT_LT(sent, size_t{256} << 20) << "the proxy keeps reading the client";
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    ASSERT_TRUE(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) << "send: errno " << errno;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 200) == 0) break;  // no room for 200 ms: the proxy stopped reading
  }
  ASSERT_LT(engine->Stats("limit")->bytes_downstream, kLimit) << "limit reached too early";
  int error = 0;
  std::string got = ReadToEof(fd, &error);
  EXPECT_EQ(got.size(), kLimit);
  if (got.size() == kLimit) {
    EXPECT_TRUE(got == data.substr(0, kLimit));
  }
  EXPECT_EQ(error, 0) << "a reset instead of EOF";
}

}  // namespace
}  // namespace chaosrun::testing
