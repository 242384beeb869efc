// Control calls while bulk streams saturate the proxy: toxics added and removed again and again,
// proxies deleted and recreated on the same port. Every stream must come back byte-exact; no
// timing is asserted.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "proxy_fixture.h"

namespace chaosrun::testing {
namespace {

constexpr int kStreams = 4;
constexpr size_t kStreamBytes = 6 << 20;

// Echoes `data` through `port` (writer and reader concurrently); true when it came back exact.
bool EchoExact(uint16_t port, const std::string& data) {
  int fd = ConnectTo(port);
  if (fd < 0) return false;
  std::thread writer([&] {
    for (size_t off = 0; off < data.size(); off += 65536) {
      if (!WriteAll(fd, data.substr(off, 65536))) break;
    }
    ::shutdown(fd, SHUT_WR);
  });
  int error = 0;
  std::string back = ReadToEof(fd, &error);
  writer.join();
  ::close(fd);
  if (back != data) {
    size_t same = 0;
    while (same < back.size() && same < data.size() && back[same] == data[same]) ++same;
    ADD_FAILURE() << "echoed " << back.size() << " of " << data.size() << " bytes, first " << same
                  << " exact, read error " << error;
  }
  return back == data;
}

// Runs kStreams bulk echo streams through `port` on their own threads.
class BulkStreams {
 public:
  explicit BulkStreams(uint16_t port) {
    for (int s = 0; s < kStreams; ++s) data_.push_back(RandomBytes(kStreamBytes, 100 + s));
    for (int s = 0; s < kStreams; ++s) {
      threads_.emplace_back([this, port, s] {
        exact_[s] = EchoExact(port, data_[s]);
        ++finished_;
      });
    }
  }
  bool done() const { return finished_ == kStreams; }
  // Joins and reports how many streams came back exact.
  int Join() {
    for (auto& t : threads_) t.join();
    int n = 0;
    for (const auto& e : exact_) n += e ? 1 : 0;
    return n;
  }

 private:
  std::vector<std::string> data_;
  std::vector<std::thread> threads_;
  std::atomic<bool> exact_[kStreams] = {};
  std::atomic<int> finished_{0};
};

bool Lists(const Json& proxy, const std::string& toxic) {
  for (const Json& t : proxy["toxics"]) {
    if (t["name"] == toxic) return true;
  }
  return false;
}

TEST_F(ProxyTest, ToxicChurnUnderFourBulkStreamsKeepsEveryByteInOrder) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("bulk", server);
  const Json toxics[] = {
      {{"type", "latency"}, {"name", "lat"}, {"attributes", {{"latency", 1}, {"jitter", 1}}}},
      {{"type", "slicer"},
       {"name", "sl"},
       {"stream", "upstream"},
       {"attributes", {{"average_size", 2000}, {"size_variation", 500}}}},
      {{"type", "bandwidth"}, {"name", "bw"}, {"attributes", {{"rate", 100000}}}},
      {{"type", "noop"}, {"name", "nop"}},
      // Holds every byte until removed: a removal that did not reach a connection stalls it.
      {{"type", "timeout"}, {"name", "hold"}, {"attributes", {{"timeout", 0}}}},
  };
  BulkStreams streams(port);
  int rounds = 0;
  while (!streams.done()) {
    const Json& t = toxics[rounds % std::size(toxics)];
    const std::string name = t["name"];
    AddToxic("bulk", t);
    auto seen = engine_.GetProxy("bulk");
    ASSERT_TRUE(seen.has_value());
    EXPECT_TRUE(Lists(*seen, name)) << "not visible after AddToxic: " << name;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_TRUE(engine_.RemoveToxic("bulk", name).ok()) << name;
    EXPECT_FALSE(Lists(*engine_.GetProxy("bulk"), name)) << "still listed: " << name;
    ++rounds;
  }
  EXPECT_EQ(streams.Join(), kStreams);
  EXPECT_GT(rounds, 0);
  EXPECT_EQ(engine_.Stats("bulk")->toxics_active, 0u);
}

TEST_F(ProxyTest, ProxyRecreatedOnTheSamePortWhileBulkStreamsRun) {
  TcpServer server(EchoHandler);
  uint16_t bulk_port = MakeProxy("bulk", server);
  uint16_t port = MakeProxy("again", server);
  ASSERT_NE(port, 0);
  proxy::ProxySpec spec{"again", "127.0.0.1:" + std::to_string(port),
                        "127.0.0.1:" + std::to_string(server.port()), true};
  BulkStreams streams(bulk_port);
  int rounds = 0;
  while (!streams.done() || rounds < 3) {
    // Delete returns with the port closed, so recreating it at once must succeed.
    ASSERT_TRUE(engine_.DeleteProxy("again").ok());
    auto created = engine_.CreateProxy(spec);
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    // Disable and enable rebind the same port too.
    ASSERT_TRUE(engine_.UpdateProxy("again", Json{{"enabled", false}}).has_value());
    auto enabled = engine_.UpdateProxy("again", Json{{"enabled", true}});
    ASSERT_TRUE(enabled.has_value()) << enabled.error().ToString();
    EXPECT_TRUE(EchoExact(port, "round " + std::to_string(rounds)));
    ++rounds;
  }
  EXPECT_EQ(streams.Join(), kStreams);
}

}  // namespace
}  // namespace chaosrun::testing
