// The json_rewrite toxic through a real proxy on 127.0.0.1, in front of a small HTTP/1.1 server
// of the test's own (keep-alive, pipelining, scripted responses).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proxy/engine.h"

namespace chaosrun::proxy {
namespace json_rewrite_proxy_test {

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads exactly `n` bytes (less on EOF or after 10 s without data).
std::string ReadN(int fd, size_t n) {
  std::string out;
  char buf[65536];
  while (out.size() < n) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

// An HTTP/1.1 server: each connection is read on its own thread; every complete request
// (head + Content-Length body) is handed to `respond` with its index on the server. Everything
// received is recorded.
class ScriptedServer {
 public:
  using Respond = std::function<void(int fd, int index, const std::string& request)>;
  explicit ScriptedServer(Respond respond) : respond_(std::move(respond)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_ = std::thread([this] { AcceptLoop(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    accept_.join();
    {
      std::lock_guard lock(mu_);
      for (int c : clients_) ::shutdown(c, SHUT_RDWR);
    }
    for (auto& t : threads_) t.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  std::string received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::lock_guard lock(mu_);
      clients_.push_back(c);
      threads_.emplace_back([this, c] { Serve(c); });
    }
  }
  void Serve(int c) {
    std::string pending;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      {
        std::lock_guard lock(mu_);
        received_.append(buf, static_cast<size_t>(n));
      }
      pending.append(buf, static_cast<size_t>(n));
      for (;;) {
        size_t end = pending.find("\r\n\r\n");
        if (end == std::string::npos) break;
        size_t length = 0;
        std::string head = pending.substr(0, end + 4);
        for (const char* name : {"Content-Length: ", "content-length: "}) {
          if (size_t at = head.find(name); at != std::string::npos) {
            length = std::stoul(head.substr(at + 16));
          }
        }
        if (pending.size() < end + 4 + length) break;
        std::string request = pending.substr(0, end + 4 + length);
        pending.erase(0, request.size());
        respond_(c, next_++, request);
      }
    }
  }

  Respond respond_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> next_{0};
  std::thread accept_;
  mutable std::mutex mu_;
  std::vector<int> clients_;
  std::vector<std::thread> threads_;
  std::string received_;
};

std::string JsonResponse(const std::string& body, const std::string& type = "application/json") {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string Post(const std::string& body) {
  return "POST /e HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string kEmpty = "HTTP/1.1 204 No Content\r\n\r\n";

class JsonRewriteProxyTest : public ::testing::Test {
 protected:
  static Engine::Options Opts() {
    Engine::Options o;
    o.threads = 1;
    o.seed = 7;
    return o;
  }
  uint16_t MakeProxy(uint16_t upstream) {
    ProxySpec spec;
    spec.name = "p";
    spec.listen = "127.0.0.1:0";
    spec.upstream = "127.0.0.1:" + std::to_string(upstream);
    auto r = engine_.CreateProxy(spec);
    EXPECT_TRUE(r.has_value());
    std::string listen = (*r)["listen"].get<std::string>();
    return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  }
  void AddRewrite(const Json& attributes, const std::string& stream = "downstream",
                  const std::string& name = "rw") {
    auto spec = ToxicFromJson(Json{
        {"name", name}, {"type", "json_rewrite"}, {"stream", stream}, {"attributes", attributes}});
    ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
    auto r = engine_.AddToxic("p", *spec);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
  }
  static int Connect(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  template <typename Pred>
  static bool Eventually(Pred pred) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pred();
  }

  Engine engine_{Opts()};
};

const Json kDropClicks = {{"operations", Json::array({{{"op", "drop"}, {"field", "clicks"}}})}};

TEST_F(JsonRewriteProxyTest, DownstreamKeepAliveRewritesEachJsonResponse) {
  std::vector<std::string> responses = {
      JsonResponse(R"([{"id":1,"clicks":3}])"),
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      "b\r\n[{\"clicks\":\r\n9\r\n1,\"a\":2}]\r\n0\r\n\r\n",
      JsonResponse(R"({"clicks":1})", "text/plain"), JsonResponse(R"({"clicks":1,"b":true})")};
  ScriptedServer server([&](int fd, int index, const std::string&) {
    SendAll(fd, responses[static_cast<size_t>(index)]);
  });
  uint16_t port = MakeProxy(server.port());
  AddRewrite(kDropClicks);
  int fd = Connect(port);
  std::vector<std::string> want = {
      JsonResponse(R"([{"id":1}])"),
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n[{\"a\":2}]",
      responses[2], JsonResponse(R"({"b":true})")};
  for (const std::string& w : want) {
    ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(ReadN(fd, w.size()), w);
  }
  ::close(fd);
  auto stats = engine_.Stats("p");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->json_rewritten, 3u);
  EXPECT_NE(engine_.PrometheusText().find(
                "chaosrun_proxy_json_messages_total{proxy=\"p\",outcome=\"rewritten\"} 3\n"),
            std::string::npos);
}

TEST_F(JsonRewriteProxyTest, UpstreamPipelinedRequestsAreRewritten) {
  ScriptedServer server([](int fd, int, const std::string&) { SendAll(fd, kEmpty); });
  uint16_t port = MakeProxy(server.port());
  AddRewrite({{"operations", Json::array({{{"op", "rename"}, {"field", "kind"}, {"to", "k"}}})}},
             "upstream");
  int fd = Connect(port);
  std::string in = Post(R"([{"kind":"negative"}])") + "GET /x HTTP/1.1\r\nHost: t\r\n\r\n" +
                   Post(R"([{"kind":"positive"},{"kind":"negative"}])");
  std::string want = Post(R"([{"k":"negative"}])") + "GET /x HTTP/1.1\r\nHost: t\r\n\r\n" +
                     Post(R"([{"k":"positive"},{"k":"negative"}])");
  ASSERT_TRUE(SendAll(fd, in));  // all three in one write: pipelined
  EXPECT_EQ(ReadN(fd, 3 * kEmpty.size()), kEmpty + kEmpty + kEmpty);
  EXPECT_EQ(server.received(), want);
  ::close(fd);
}

TEST_F(JsonRewriteProxyTest, HeadResponsesAreFramedThroughTheRequestsMethods) {
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n";
  ScriptedServer server([&](int fd, int, const std::string& request) {
    SendAll(fd, request.rfind("HEAD", 0) == 0 ? head : JsonResponse(R"({"clicks":2})"));
  });
  uint16_t port = MakeProxy(server.port());
  AddRewrite(kDropClicks);
  int fd = Connect(port);
  ASSERT_TRUE(SendAll(fd, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(ReadN(fd, head.size()), head);  // not held for a body that never comes
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(ReadN(fd, JsonResponse("{}").size()), JsonResponse("{}"));
  ::close(fd);
}

TEST_F(JsonRewriteProxyTest, AddAndRemoveOnAnOpenConnectionSwitchAtMessageBoundaries) {
  const std::string original = JsonResponse(R"({"clicks":1,"n":2})");
  const std::string rewritten = JsonResponse(R"({"n":2})");
  ScriptedServer server([&](int fd, int, const std::string&) { SendAll(fd, original); });
  uint16_t port = MakeProxy(server.port());
  int fd = Connect(port);
  // One request and its whole answer, which must be exactly one of the two forms.
  auto exchange = [&] {
    EXPECT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
    std::string got = ReadN(fd, rewritten.size());
    if (got == rewritten) return got;
    got += ReadN(fd, original.size() - rewritten.size());
    EXPECT_EQ(got, original);
    return got;
  };
  EXPECT_EQ(exchange(), original);
  AddRewrite(kDropClicks);
  EXPECT_TRUE(Eventually([&] { return exchange() == rewritten; }));
  EXPECT_EQ(exchange(), rewritten);
  ASSERT_TRUE(engine_.RemoveToxic("p", "rw").ok());
  EXPECT_TRUE(Eventually([&] { return exchange() == original; }));
  EXPECT_EQ(exchange(), original);
  ::close(fd);
}

TEST_F(JsonRewriteProxyTest, ToxicityZeroNeverAppliesAndDurationExpires) {
  const std::string original = JsonResponse(R"({"clicks":1,"n":2})");
  ScriptedServer server([&](int fd, int, const std::string&) { SendAll(fd, original); });
  uint16_t port = MakeProxy(server.port());
  auto add = [&](const Json& extra) {
    Json toxic = {{"name", "rw"}, {"type", "json_rewrite"}, {"attributes", kDropClicks}};
    toxic.update(extra);
    auto spec = ToxicFromJson(toxic);
    ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
    ASSERT_TRUE(engine_.AddToxic("p", *spec).has_value());
  };
  add({{"toxicity", 0}});
  int fd = Connect(port);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(ReadN(fd, original.size()), original);
  ::close(fd);
  ASSERT_TRUE(engine_.RemoveToxic("p", "rw").ok());
  add({{"duration", 50}});
  EXPECT_TRUE(Eventually([&] { return engine_.ListToxics("p")->empty(); }));
  fd = Connect(port);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(ReadN(fd, original.size()), original);
  ::close(fd);
  EXPECT_EQ(engine_.Stats("p")->json_rewritten, 0u);
}

TEST_F(JsonRewriteProxyTest, RemovingTheToxicGivesBackAHeldMessageUnchanged) {
  const std::string original = JsonResponse(R"({"clicks":1,"n":2})");
  std::mutex mu;
  std::condition_variable cv;
  bool go = false;
  ScriptedServer server([&](int fd, int, const std::string&) {
    SendAll(fd, original.substr(0, original.size() - 4));  // all but the body's end
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return go; });
    SendAll(fd, original.substr(original.size() - 4));
  });
  uint16_t port = MakeProxy(server.port());
  AddRewrite(kDropClicks);
  int fd = Connect(port);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  // The proxy holds the unfinished message; removing the toxic lets out what it holds.
  ASSERT_TRUE(Eventually([&] { return engine_.Stats("p")->bytes_upstream > 0; }));
  ASSERT_TRUE(engine_.RemoveToxic("p", "rw").ok());
  EXPECT_EQ(ReadN(fd, original.size() - 4), original.substr(0, original.size() - 4));
  {
    std::lock_guard lock(mu);
    go = true;
  }
  cv.notify_all();
  EXPECT_EQ(ReadN(fd, 4), original.substr(original.size() - 4));
  ::close(fd);
}

TEST_F(JsonRewriteProxyTest, OversizeAndNonHttpPassUnchanged) {
  std::string big = "[" + std::string(100000, ' ') + "{\"clicks\":1}]";
  ScriptedServer server([&](int fd, int, const std::string&) { SendAll(fd, JsonResponse(big)); });
  uint16_t port = MakeProxy(server.port());
  Json attributes = kDropClicks;
  attributes["max_body_bytes"] = 1024;
  AddRewrite(attributes);
  int fd = Connect(port);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(ReadN(fd, JsonResponse(big).size()), JsonResponse(big));
  ::close(fd);
  EXPECT_TRUE(Eventually([&] { return engine_.Stats("p")->json_oversize == 1; }));
  // Upstream garbage goes through as it is.
  AddRewrite(kDropClicks, "upstream", "up");
  int raw = Connect(port);
  std::string junk("\x16\x03\x01\x00\xff garbage, not HTTP\r\n\r\n", 27);
  ASSERT_TRUE(SendAll(raw, junk));
  EXPECT_TRUE(Eventually([&] { return server.received().ends_with(junk); }));
  ::close(raw);
}

}  // namespace json_rewrite_proxy_test
}  // namespace chaosrun::proxy
