// proxybench relay: the least a user-space TCP proxy can do, as a floor for the latency rows.
//
//   proxybench relay --listen PORT --upstream PORT [--busy-poll-us N]
//
// One thread, one epoll instance, each socket registered once (edge-triggered); per hop one
// recv and one send, nothing else: no toxics, no buffering, no statistics, no API. So the
// latency it adds is what the kernel's two extra loopback TCP hops and the wake-ups cost on this
// machine, and a proxy that adds little more than this has nothing left to remove in its own
// code. With --busy-poll-us N it polls for N µs after its last work before it sleeps, like
// `chaosrun proxy serve --busy-poll N`.
//
// Shortcuts a real proxy must not take, harmless in the ping-pong runs it serves: the upstream
// connect blocks (loopback), and a send that the kernel does not take whole waits in poll() for
// that one socket (requests and answers here are ~100 bytes, far below any socket buffer).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "args.h"
#include "bench_util.h"

namespace bench {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return a;
}

// Sends all of [p, p+n) on a non-blocking socket, waiting for room when the kernel is full.
bool SendWhole(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w > 0) {
      p += w;
      n -= static_cast<size_t>(w);
    } else if (w < 0 && errno == EAGAIN) {
      pollfd pf{fd, POLLOUT, 0};
      poll(&pf, 1, -1);
    } else if (!(w < 0 && errno == EINTR)) {
      return false;
    }
  }
  return true;
}

}  // namespace

int Relay(const Args& a) {
  int listen_port = static_cast<int>(a.Num("listen", 0));
  int upstream_port = static_cast<int>(a.Num("upstream", 0));
  double busy_us = a.Num("busy-poll-us", 0);
  if (listen_port <= 0 || upstream_port <= 0) Die("relay needs --listen PORT --upstream PORT");
  int one = 1;
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in la = Loopback(listen_port);
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(lfd, reinterpret_cast<sockaddr*>(&la), sizeof la) != 0 || listen(lfd, 4096) != 0) {
    Die("relay: listen");
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.fd = lfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
  std::vector<int> peer;  // peer[fd]: the other socket of fd's connection, -1 when closed
  std::vector<char> buf(65536);
  double last_work = 0;
  for (;;) {
    epoll_event evs[64];
    int timeout = busy_us > 0 && NowUs() - last_work < busy_us ? 0 : -1;
    int n = epoll_wait(ep, evs, 64, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Die("relay: epoll_wait");
    if (n > 0) last_work = NowUs();
    for (int i = 0; i < n; ++i) {
      int fd = evs[i].data.fd;
      if (fd == lfd) {
        int c = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) continue;
        int u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in ua = Loopback(upstream_port);
        if (connect(u, reinterpret_cast<sockaddr*>(&ua), sizeof ua) != 0) {
          close(c);
          close(u);
          continue;
        }
        fcntl(u, F_SETFL, O_NONBLOCK);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        size_t top = static_cast<size_t>(c > u ? c : u);
        if (peer.size() <= top) peer.resize(top + 1, -1);
        peer[static_cast<size_t>(c)] = u;
        peer[static_cast<size_t>(u)] = c;
        for (int s : {c, u}) {
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
          ev.data.fd = s;
          epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
        }
        continue;
      }
      int to = peer[static_cast<size_t>(fd)];
      if (to < 0) continue;
      bool drop = false;
      for (;;) {
        ssize_t r = recv(fd, buf.data(), buf.size(), 0);
        if (r > 0) {
          if (!SendWhole(to, buf.data(), static_cast<size_t>(r))) drop = true;
          // A short read emptied the socket, unless a FIN or an error sits behind the data.
          if (drop || (static_cast<size_t>(r) < buf.size() &&
                       !(evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))) {
            break;
          }
          continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) break;
        drop = true;  // end of stream or an error: a floor relay just closes both sides
        break;
      }
      if (drop) {
        peer[static_cast<size_t>(fd)] = peer[static_cast<size_t>(to)] = -1;
        close(fd);
        close(to);
      }
    }
  }
}

}  // namespace bench
