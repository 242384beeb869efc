#include "proxy/udp_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "common/log.h"

namespace chaosrun::proxy {

namespace {

constexpr int kDatagramsPerEvent = 64;  // then let the loop's other work run (level-triggered)
constexpr size_t kMaxDatagram = 65536;  // larger than any UDP payload
constexpr size_t kHeldOverhead = 64;    // accounted per held datagram

SteadyTime UdpNow() { return std::chrono::steady_clock::now(); }

char* DatagramBuffer() {
  thread_local std::vector<char> buffer(kMaxDatagram);
  return buffer.data();
}

}  // namespace

Result<std::shared_ptr<UdpRelay>> UdpRelay::Open(Loop& loop, const HostPort& listen,
                                                 Settings settings) {
  auto addresses = ResolveAddresses(listen.host, listen.port);
  if (!addresses) return Err(Status::IoError("listen: " + addresses.error().message()));
  const SockAddr& at = ListenAddress(*addresses);
  auto relay = std::make_shared<UdpRelay>(loop, settings);
  auto fail = [&](const char* call) {
    return Err(Status::IoError(ListenError("udp", at, call, errno)));
  };
  int fd = ::socket(at.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return fail("socket");
  relay->fd_ = fd;  // closed by the destructor on failure
  // No SO_REUSEADDR: on Linux it would let a second UDP socket share the port unnoticed.
  if (::bind(fd, at.get(), at.length) != 0) return fail("bind");
  relay->bound_ = BoundHostPort(fd);
  return relay;
}

UdpRelay::~UdpRelay() {
  if (fd_ >= 0) ::close(fd_);
  for (auto& [key, m] : mappings_) {
    if (m->fd >= 0) ::close(m->fd);
    m->fd = -1;
  }
}

void UdpRelay::Start(std::weak_ptr<ProxyState> proxy) {
  loop_.Post([self = shared_from_this(), proxy = std::move(proxy)] {
    self->proxy_ = proxy;
    self->LoadToxics();
    std::lock_guard lock(self->mu_);
    // Level-triggered: datagrams left after kDatagramsPerEvent are reported again.
    if (!self->closed_ && !self->loop_.Add(self->fd_, EPOLLIN, self.get()).ok()) {
      log::Warn("proxy: cannot watch the UDP socket on port {}", self->bound_.port);
    }
  });
}

void UdpRelay::RefreshToxics() {
  loop_.Post([self = shared_from_this()] { self->LoadToxics(); });
}

void UdpRelay::Close() {
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
  loop_.Post([self = shared_from_this()] { self->Shutdown(); });
}

void UdpRelay::LoadToxics() {
  auto proxy = proxy_.lock();
  if (!proxy) return;
  std::shared_ptr<const ToxicSet> set = proxy->Toxics();
  if (set == loaded_) return;
  loaded_ = set;
  for (int i = 0; i < 2; ++i) {
    toxics_[i] = RefreshDatagramToxics(toxics_[i], set->streams[i], settings_.seed);
  }
}

void UdpRelay::OnReady(uint32_t) {
  LoadToxics();
  char* buffer = DatagramBuffer();
  for (int k = 0; k < kDatagramsPerEvent; ++k) {
    SockAddr from;
    from.length = sizeof from.storage;
    ssize_t n;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      n = ::recvfrom(fd_, buffer, kMaxDatagram, 0, reinterpret_cast<sockaddr*>(&from.storage),
                     &from.length);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN: drained; anything else: reported again if it persists
    }
    SteadyTime now = UdpNow();
    std::shared_ptr<Mapping> m = MappingFor(from, now);
    if (!m) {
      Dropped(0);
      continue;
    }
    m->last_active = now;
    Relay(0, m, buffer, static_cast<size_t>(n));
  }
}

std::shared_ptr<UdpRelay::Mapping> UdpRelay::MappingFor(const SockAddr& from, SteadyTime now) {
  std::string key(reinterpret_cast<const char*>(&from.storage), from.length);
  if (auto it = mappings_.find(key); it != mappings_.end()) return it->second;
  auto proxy = proxy_.lock();
  if (!proxy) return nullptr;
  const SockAddr& to = settings_.upstream;
  int fd = ::socket(to.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return nullptr;
  // Connected: the kernel keeps only the upstream's datagrams for this socket.
  if (::connect(fd, to.get(), to.length) != 0) {
    ::close(fd);
    proxy->counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  auto m = std::make_shared<Mapping>();
  m->relay = this;
  m->client = from;
  m->key = key;
  m->fd = fd;
  m->last_active = now;
  if (!loop_.Add(fd, EPOLLIN, m.get()).ok()) {
    ::close(fd);
    return nullptr;
  }
  mappings_.emplace(key, m);
  proxy->counters.connections_total.fetch_add(1, std::memory_order_relaxed);
  proxy->counters.connections_active.fetch_add(1, std::memory_order_relaxed);
  ArmIdle();
  return m;
}

void UdpRelay::FromUpstream(Mapping& m) {
  std::shared_ptr<Mapping> self = m.shared_from_this();
  LoadToxics();
  char* buffer = DatagramBuffer();
  for (int k = 0; k < kDatagramsPerEvent && self->fd >= 0; ++k) {
    ssize_t n = ::recv(self->fd, buffer, kMaxDatagram, 0);
    if (n < 0) {
      // ECONNREFUSED: an ICMP "port unreachable" for an earlier datagram; go on reading.
      if (errno == EINTR || errno == ECONNREFUSED) continue;
      return;
    }
    self->last_active = UdpNow();
    Relay(1, self, buffer, static_cast<size_t>(n));
  }
}

void UdpRelay::Relay(int stream, const std::shared_ptr<Mapping>& m, char* data, size_t size) {
  SteadyTime now = UdpNow();
  DatagramFate fate = PlanDatagram(toxics_[stream], std::span<char>(data, size), now);
  if (fate.drop) {
    Dropped(stream);
    return;
  }
  if (fate.at <= now) {
    Send(stream, *m, data, size);
    return;
  }
  if (held_bytes_ + size + kHeldOverhead > settings_.max_queued_bytes) {
    Dropped(stream);  // like a full queue on a real link
    return;
  }
  held_.push_back(Held{fate.at, ++next_seq_, stream, m, std::string(data, size)});
  std::push_heap(held_.begin(), held_.end(), std::greater<>());
  held_bytes_ += size + kHeldOverhead;
  ArmRelease();
}

void UdpRelay::Send(int stream, Mapping& m, const char* data, size_t size) {
  ssize_t sent = -1;
  if (stream == 0) {
    if (m.fd >= 0) {
      do {
        sent = ::send(m.fd, data, size, 0);
      } while (sent < 0 && errno == EINTR);
    }
  } else {
    std::lock_guard lock(mu_);
    if (!closed_) {
      do {
        sent = ::sendto(fd_, data, size, 0, m.client.get(), m.client.length);
      } while (sent < 0 && errno == EINTR);
    }
  }
  auto proxy = proxy_.lock();
  if (!proxy) return;
  if (sent < 0) {
    // A full socket buffer or an unreachable peer: the datagram is lost, as on a real link.
    proxy->counters.datagrams_dropped[stream].fetch_add(1, std::memory_order_relaxed);
    return;
  }
  proxy->counters.datagrams[stream].fetch_add(1, std::memory_order_relaxed);
  proxy->counters.bytes[stream].fetch_add(static_cast<size_t>(sent), std::memory_order_relaxed);
}

void UdpRelay::Dropped(int stream) {
  if (auto proxy = proxy_.lock()) {
    proxy->counters.datagrams_dropped[stream].fetch_add(1, std::memory_order_relaxed);
  }
}

void UdpRelay::ArmRelease() {
  if (held_.empty()) {
    release_.Cancel();
    return;
  }
  SteadyTime at = held_.front().at;
  if (release_.armed() && release_.expiry() == at) return;
  release_.Arm(at, [self = shared_from_this()] { self->ReleaseDue(); });
}

void UdpRelay::ReleaseDue() {
  SteadyTime now = UdpNow();
  while (!held_.empty() && held_.front().at <= now) {
    std::pop_heap(held_.begin(), held_.end(), std::greater<>());
    Held h = std::move(held_.back());
    held_.pop_back();
    held_bytes_ -= h.data.size() + kHeldOverhead;
    Send(h.stream, *h.mapping, h.data.data(), h.data.size());
  }
  ArmRelease();
}

void UdpRelay::ArmIdle() {
  if (idle_.armed() || mappings_.empty()) return;
  SteadyTime earliest = SteadyTime::max();
  for (const auto& [key, m] : mappings_) earliest = std::min(earliest, m->last_active);
  idle_.Arm(earliest + settings_.idle_timeout, [self = shared_from_this()] { self->SweepIdle(); });
}

void UdpRelay::SweepIdle() {
  SteadyTime now = UdpNow();
  std::vector<std::shared_ptr<Mapping>> expired;
  for (const auto& [key, m] : mappings_) {
    if (m->last_active + settings_.idle_timeout <= now) expired.push_back(m);
  }
  for (const auto& m : expired) Unmap(m);
  ArmIdle();
}

void UdpRelay::Unmap(const std::shared_ptr<Mapping>& m) {
  if (m->fd >= 0) {
    loop_.Remove(m->fd);
    ::close(m->fd);
    m->fd = -1;
  }
  loop_.Defer(m);  // an event of this turn may still name it
  mappings_.erase(m->key);
  if (auto proxy = proxy_.lock()) {
    proxy->counters.connections_active.fetch_sub(1, std::memory_order_relaxed);
  }
}

void UdpRelay::Shutdown() {
  std::vector<std::shared_ptr<Mapping>> all;
  for (const auto& [key, m] : mappings_) all.push_back(m);
  for (const auto& m : all) Unmap(m);
  held_.clear();
  held_bytes_ = 0;
  release_.Cancel();
  idle_.Cancel();
}

}  // namespace chaosrun::proxy
