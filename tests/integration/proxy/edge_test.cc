// The edge-triggered data path (src/proxy/loop.h): sockets are registered once and a direction
// waits for an edge only after a short read. These guard the cases where data is left behind a
// short read with no edge to come, and the upstream connect of the loop (names, refusals).
// Time is only a generous "did not hang" guard.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "proxy_fixture.h"

namespace chaosrun::testing {
namespace {

class ProxyEdgeTest : public ProxyTest {};

void SetCork(int fd, int on) { ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on); }

// Guards: urgent data in the middle of a small message (the copying path, not splice), all of it
// waiting in the proxy's socket before the proxy reads: the first read stops at the urgent mark
// with "def" behind it, and no further edge will come. The proxy must read on.
TEST_F(ProxyEdgeTest, UrgentDataInASmallMessageLosesNothingAfterIt) {
  // The upstream's accept queue is full (backlog 0 and one connection not accepted), so the
  // proxy's SYN is dropped and retried about a second later: meanwhile the client's bytes all
  // arrive, and the proxy reads them only once it is connected.
  uint16_t up_port = 0;
  int up = ListenOnLoopback(0, up_port);
  ASSERT_GE(up, 0);
  timeval tv{10, 0};  // accept and read give up after 10 s instead of hanging
  ::setsockopt(up, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int filler = ConnectTo(up_port);
  ASSERT_GE(filler, 0);
  uint16_t port = CreateProxyOn(engine_, "urgent", up_port);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "abc"));
  ASSERT_EQ(::send(fd, "!", 1, MSG_OOB | MSG_NOSIGNAL), 1);
  ASSERT_TRUE(WriteAll(fd, "def"));
  ::close(::accept(up, nullptr, nullptr));  // the filler: room for the proxy's retried SYN
  ::close(filler);
  int conn = ::accept(up, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // Before the client's FIN (whose edge would also rescue a stalled direction).
  std::string got = ReadUpTo(conn, 6);
  EXPECT_TRUE(got == "abcdef" || got == "abc!de") << "stalled at the urgent mark: " << got;
  ::close(conn);
  ::close(fd);
  ::close(up);
}

// Guards: a FIN that arrives with the last data (one read gets the data, the FIN has no edge of
// its own) still ends the direction, on a connection that is already relaying.
TEST_F(ProxyEdgeTest, FinRightBehindDataOnAnOpenConnectionIsPassedOn) {
  TcpServer server(EchoHandler);
  uint16_t port = MakeProxy("fin", server);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "ping"));
  ASSERT_EQ(ReadUpTo(fd, 4), "ping");
  SetCork(fd, 1);
  ASSERT_TRUE(WriteAll(fd, "last words"));
  ::shutdown(fd, SHUT_WR);  // with the cork: data and FIN in one segment
  int error = 0;
  EXPECT_EQ(ReadToEof(fd, &error), "last words");
  EXPECT_EQ(error, 0) << "no EOF: the FIN never reached the upstream";
  ::close(fd);
}

// An upstream given by name is looked up off the loop, then relayed like any other.
TEST_F(ProxyEdgeTest, UpstreamByNameIsLookedUpAndRelayed) {
  TcpServer server(EchoHandler);
  uint16_t port = CreateProxyTo(engine_, "named", "localhost:" + std::to_string(server.port()));
  ASSERT_NE(port, 0);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  const std::string data = RandomBytes(300000, 9);
  EXPECT_EQ(SendThenReadToEof(fd, data), data);
  ::close(fd);
}

// An upstream that refuses (by name: every address is tried) closes the client's connection and
// counts as refused.
TEST_F(ProxyEdgeTest, RefusedUpstreamByNameClosesTheClientAndCounts) {
  uint16_t closed_port = 0;
  int holder = ListenOnLoopback(1, closed_port);  // a free port, closed again: nobody listens
  ASSERT_GE(holder, 0);
  ::close(holder);
  uint16_t port = CreateProxyTo(engine_, "refused", "localhost:" + std::to_string(closed_port));
  ASSERT_NE(port, 0);
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  int error = 0;
  EXPECT_EQ(ReadToEof(fd, &error), "");
  EXPECT_TRUE(Eventually([&] { return engine_.Stats("refused")->connections_refused == 1; }));
  EXPECT_TRUE(Eventually([&] { return engine_.Stats("refused")->connections_active == 0; }));
  ::close(fd);
}

}  // namespace
}  // namespace chaosrun::testing
