#include "network/tcp.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace chaosrun::drivers::network {

std::string WaitFd(int fd, short events, Deadline deadline,
                   const std::function<bool()>& cancelled) {
  for (;;) {
    if (cancelled && cancelled()) return "cancelled";
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "timed out";
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (r > 0) return {};
    if (r < 0 && errno != EINTR) return std::string("poll: ") + std::strerror(errno);
  }
}

std::string TcpConnect(const std::string& host, int port, Deadline deadline,
                       const std::function<bool()>& cancelled, int* out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) return "cannot resolve " + host + ": " + ::gai_strerror(rc);
  std::string last = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      ::close(fd);
      continue;
    }
    std::string w = WaitFd(fd, POLLOUT, deadline, cancelled);
    int err = 0;
    socklen_t len = sizeof(err);
    if (w.empty() && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
      ::freeaddrinfo(res);
      *out = fd;
      return {};
    }
    last = w.empty() ? std::strerror(err) : w;
    ::close(fd);
    if (w == "cancelled" || w == "timed out") break;
  }
  ::freeaddrinfo(res);
  return "cannot connect to " + host + ":" + service + ": " + last;
}

}  // namespace chaosrun::drivers::network
