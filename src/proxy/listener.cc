#include "proxy/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "proxy/connection.h"

namespace chaosrun::proxy {

namespace {

constexpr int kAcceptsPerEvent = 32;  // then let the loop's other work run (level-triggered)

}  // namespace

Result<std::shared_ptr<Listener>> Listener::Open(Loop& loop, const HostPort& address) {
  auto addresses = ResolveAddresses(address.host, address.port);
  if (!addresses) return Err(Status::IoError("listen: " + addresses.error().message()));
  const SockAddr& at = ListenAddress(*addresses);
  auto listener = std::make_shared<Listener>(loop);
  // Toxiproxy's wording (Go's): "listen tcp 127.0.0.1:8080: bind: address already in use".
  auto fail = [&](const char* call) {
    return Err(Status::IoError(ListenError("tcp", at, call, errno)));
  };
  int fd = ::socket(at.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return fail("socket");
  listener->fd_ = fd;  // closed by the destructor on failure
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    return fail("setsockopt");
  }
  if (::bind(fd, at.get(), at.length) != 0) return fail("bind");
  if (::listen(fd, SOMAXCONN) != 0) return fail("listen");
  listener->bound_ = BoundHostPort(fd);
  return listener;
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);  // closing also removes it from the loop's epoll set
}

void Listener::Start(std::weak_ptr<ProxyState> proxy, DataPlane& plane) {
  proxy_ = std::move(proxy);
  plane_ = &plane;
  std::lock_guard lock(mu_);
  // Level-triggered: a backlog left after kAcceptsPerEvent is reported again.
  if (!closed_ && fd_ >= 0 && !loop_.Add(fd_, EPOLLIN, this).ok()) {
    log::Warn("proxy: cannot watch the listening socket on port {}", bound_.port);
  }
}

void Listener::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    if (fd_ >= 0) {
      loop_.Remove(fd_);
      ::close(fd_);
      fd_ = -1;
    }
  }
  // The loop may be dispatching an event for this listener right now: it holds a reference
  // until its next turn, and cancels the retry timer (a loop-thread object) there.
  loop_.Post([self = shared_from_this()] { self->retry_.Cancel(); });
}

void Listener::OnReady(uint32_t) {
  for (int i = 0; i < kAcceptsPerEvent; ++i) {
    int fd;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
        // Out of descriptors or memory: stop watching and try again shortly instead of
        // spinning on a backlog that cannot be accepted.
        log::Warn("proxy: accept failed: {}", std::strerror(errno));
        loop_.Remove(fd_);
        retry_.Arm(LoopClock::now() + std::chrono::milliseconds(50), [self = shared_from_this()] {
          std::lock_guard relock(self->mu_);
          if (!self->closed_) (void)self->loop_.Add(self->fd_, EPOLLIN, self.get());
        });
        return;
      }
    }
    Accepted(fd);
  }
}

void Listener::Accepted(int fd) {
  auto proxy = proxy_.lock();
  if (!proxy) {
    ::close(fd);
    return;
  }
  proxy->counters.connections_total.fetch_add(1, std::memory_order_relaxed);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  uint64_t id = plane_->NextConnectionId();
  Loop& target = plane_->NextLoop();
  auto conn = std::make_shared<Connection>(target, fd, proxy, *plane_, id);
  // Registered only while this listener is still the proxy's: a disable or delete clears
  // `listener` under the same lock before it cuts the registered connections, so a connection
  // accepted meanwhile is either cut by it or closed here.
  std::string upstream;
  bool live = false;
  {
    std::lock_guard lock(proxy->mu);
    live = proxy->listener.get() == this;
    if (live) {
      upstream = proxy->spec.upstream;
      proxy->connections.emplace(id, ConnectionRef{conn, &target});
    }
  }
  if (live) {
    target.Post([conn, upstream] { conn->Start(upstream); });
  } else {
    target.Post([conn] { conn->Cut(); });
  }
}

}  // namespace chaosrun::proxy
