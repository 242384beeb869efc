// `max_retries` against a real loopback server that reads each request and closes the first N
// connections without a byte of answer (what a server restarting or a load balancer dropping a
// backend does). The reference (requests + urllib3 Retry(total=N)) retries those for idempotent
// methods and never sends a POST twice. The server counts connections; nothing sleeps.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "providers/provider.h"

namespace chaosrun::providers {
namespace {

using ::testing::HasSubstr;
using Kind = Outcome::Kind;

// Accepts connections on 127.0.0.1; reads each request head, then closes the connection without
// answering while fewer than `drop` connections were dropped, else answers 200 "ok".
class DroppingServer {
 public:
  explicit DroppingServer(int drop) : drop_(drop) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      std::abort();  // the test cannot run at all
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~DroppingServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/r"; }
  int connections() const { return connections_.load(); }

 private:
  void Loop() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      const int n = ++connections_;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t got = ::read(c, buf, sizeof buf);
        if (got <= 0) break;
        head.append(buf, static_cast<size_t>(got));
      }
      if (n > drop_) {
        const std::string answer =
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        (void)!::write(c, answer.data(), answer.size());
      }
      ::close(c);
    }
  }

  int drop_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

class HttpRetryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  }
};

TEST_F(HttpRetryTest, GetIsRetriedAfterConnectionsClosedWithoutAnswer) {
  DroppingServer server(2);
  Outcome o = RunHttp(Json{{"type", "http"}, {"url", server.Url()}, {"max_retries", 2}}, Context{});
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 200);
  EXPECT_EQ(o.output["body"], "ok");
  EXPECT_EQ(server.connections(), 3);
}

TEST_F(HttpRetryTest, RetriesRunOutAndTheFailureSaysHowManyAttempts) {
  DroppingServer server(5);
  Outcome o = RunHttp(Json{{"type", "http"}, {"url", server.Url()}, {"max_retries", 1}}, Context{});
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_THAT(o.error, HasSubstr("failed to connect to " + server.Url()));
  EXPECT_THAT(o.error, HasSubstr("(2 attempts)"));
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpRetryTest, WithoutMaxRetriesAClosedConnectionFailsOnce) {
  DroppingServer server(1);
  Outcome o = RunHttp(Json{{"type", "http"}, {"url", server.Url()}}, Context{});
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_THAT(o.error, HasSubstr("failed to connect to " + server.Url()));
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpRetryTest, EveryIdempotentMethodIsRetried) {
  for (const char* method : {"HEAD", "PUT", "DELETE", "OPTIONS"}) {
    DroppingServer server(1);
    Outcome o = RunHttp(
        Json{{"type", "http"}, {"url", server.Url()}, {"method", method}, {"max_retries", 1}},
        Context{});
    EXPECT_EQ(o.kind, Kind::kSucceeded) << method << ": " << o.error;
    EXPECT_EQ(server.connections(), 2) << method;
  }
}

TEST_F(HttpRetryTest, PostAndPatchAreNeverSentTwice) {
  for (const char* method : {"POST", "PATCH"}) {
    DroppingServer server(1);
    Outcome o = RunHttp(Json{{"type", "http"},
                             {"url", server.Url()},
                             {"method", method},
                             {"arguments", {{"a", 1}}},
                             {"max_retries", 3}},
                        Context{});
    EXPECT_EQ(o.kind, Kind::kFailed) << method;
    EXPECT_EQ(server.connections(), 1) << method;
  }
}

}  // namespace
}  // namespace chaosrun::providers
