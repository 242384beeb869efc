#include "proxy/connection.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "proxy/connection_util.h"

namespace chaosrun::proxy {

using internal::Now;

void Connection::Queue::Push(std::unique_ptr<Chunk> c) {
  Chunk* raw = c.get();
  if (tail) {
    tail->next = std::move(c);
  } else {
    head = std::move(c);
  }
  tail = raw;
}

void Connection::Queue::Pop() {
  head = std::move(head->next);
  if (!head) tail = nullptr;
}

void Connection::Queue::Clear() {
  while (head) Pop();  // iterative: a long list must not recurse in destructors
}

Connection::Connection(Loop& loop, int client_fd, std::shared_ptr<ProxyState> proxy,
                       DataPlane& plane, uint64_t id)
    : loop_(loop),
      proxy_(std::move(proxy)),
      plane_(plane),
      id_(id),
      rng_(plane.SeedFor(id)),
      dirs_{Direction(loop), Direction(loop)},
      kill_timer_(loop) {
  fds_[0] = client_fd;
  for (int side = 0; side < 2; ++side) {
    sides_[side].connection = this;
    sides_[side].index = side;
  }
  proxy_->counters.connections_active.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() { Close(false); }

void Connection::Start(const std::string& upstream) {
  RefreshToxics();
  if (closed_) return;
  // The client socket is registered once, for both edges (OnReady).
  if (!loop_.Add(fds_[0], EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLET, &sides_[0]).ok()) {
    Close(true);
    return;
  }
  auto target = ParseHostPort(upstream, "upstream");
  if (!target) {
    Refused();
    return;
  }
  SockAddr numeric;
  if (NumericAddress(target->host, target->port, &numeric)) {
    candidates_.push_back(numeric);
    ConnectNext();
    return;
  }
  // A name is looked up off the loop (getaddrinfo blocks), then the connect goes on here.
  // The job holds the connection weakly (its proxy owns it until it closes), so a job dropped
  // at shutdown owns nothing; the loop outlives every job (the engine joins the pool first).
  plane_.run_blocking(
      [weak = weak_from_this(), loop = &loop_, host = target->host, port = target->port] {
        auto addresses = ResolveAddresses(host, port);
        loop->Post([weak, addresses = std::move(addresses)]() mutable {
          auto self = weak.lock();
          if (!self || self->closed_) return;
          if (!addresses) {
            self->Refused();
            return;
          }
          self->candidates_ = std::move(*addresses);
          self->ConnectNext();
        });
      });
}

void Connection::ConnectNext() {
  while (!closed_ && next_candidate_ < candidates_.size()) {
    const SockAddr& to = candidates_[next_candidate_++];
    int fd = ::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd, to.get(), to.length);
    // EINTR: the connection goes on asynchronously, as with EINPROGRESS (POSIX).
    if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
      ::close(fd);
      continue;
    }
    fds_[1] = fd;
    if (!loop_.Add(fd, EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLET, &sides_[1]).ok()) {
      Close(true);
      return;
    }
    connecting_ = true;
    if (rc == 0) ConnectDone();  // else the writable edge (or an error) reports the outcome
    return;
  }
  if (!closed_) Refused();
}

void Connection::ConnectDone() {
  // Connected once the socket has a peer. SO_ERROR alone is 0 both on success and while the
  // handshake is still under way, and an edge may be stale (from a failed earlier address, in
  // the same batch of events) or spurious.
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof peer;
  if (::getpeername(fds_[1], reinterpret_cast<sockaddr*>(&peer), &peer_length) == 0) {
    connecting_ = false;
    Connected();
    return;
  }
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fds_[1], SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error == 0) return;  // still connecting: the next edge reports the outcome
  connecting_ = false;
  loop_.Remove(fds_[1]);
  ::close(fds_[1]);
  fds_[1] = -1;
  ConnectNext();
}

void Connection::Refused() {
  proxy_->counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
  Close(false);
}

void Connection::Connected() {
  connected_ = true;
  TryRead(0);
  TryRead(1);
}

void Connection::OnReady(int side, uint32_t events) {
  if (closed_) return;
  constexpr uint32_t kFailed = EPOLLERR | EPOLLHUP;
  // Side s is the source of direction s and the sink of direction 1 - s. Recorded even before
  // the relay starts: the first read is not triggered by an edge, and a FIN that came with the
  // first data has no edge of its own.
  Direction& reader = dirs_[side];
  if (events & (EPOLLPRI | EPOLLRDHUP | kFailed)) reader.drain = true;
  if (side == 1 && connecting_) {
    if (events & (EPOLLOUT | kFailed)) ConnectDone();
    return;
  }
  if (!connected_) return;
  // An edge only matters to a direction that waits for it: every other path tries its read or
  // write first.
  if ((events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | kFailed)) && reader.read_waiting) {
    reader.read_waiting = false;
    TryRead(side);
    if (closed_) return;
  }
  Direction& writer = dirs_[1 - side];
  if ((events & (EPOLLOUT | kFailed)) && writer.write_waiting) {
    writer.write_waiting = false;
    Pump(1 - side);
  }
}

void Connection::RefreshToxics() {
  if (closed_) return;
  std::shared_ptr<const ToxicSet> set = proxy_->Toxics();
  SteadyTime now = Now();
  for (int i = 0; i < 2; ++i) {
    Direction& d = dirs_[i];
    std::vector<ToxicRuntime> next;
    next.reserve(set->streams[i].size());
    for (const ToxicConfig& cfg : set->streams[i]) {
      ToxicRuntime rt;
      bool found = false;
      for (const ToxicRuntime& old : d.toxics) {
        if (old.id == cfg.id) {
          rt = old;
          found = true;
        }
      }
      if (!found || rt.revision != cfg.revision) {
        // New, or updated: as in Toxiproxy, where an update restarts the toxic on every
        // connection, toxicity is rolled again and timeout/reset_peer start over. What a toxic
        // has counted (limit_data's bytes) and the emulated link's state are kept.
        rt.id = cfg.id;
        rt.revision = cfg.revision;
        if (cfg.seed && cfg.rolls) {
          // The toxic's own generator: the n-th connection to roll it gets the same answer
          // for the same seed, whatever other proxies and toxics do meanwhile.
          Rng own(MixSeed(*cfg.seed, cfg.rolls->fetch_add(1, std::memory_order_relaxed)));
          rt.applies = RollToxicity(cfg.toxicity, own);
          rt.rng = Rng(own());
        } else {
          rt.applies = RollToxicity(cfg.toxicity, rng_);
          if (cfg.params.type == ToxicType::kCorrupt) rt.rng = Rng(rng_());
        }
        rt.corrupt = CorruptCursor{};
        rt.activated = now;
        rt.reset_at.reset();
      }
      rt.params = cfg.params;
      next.push_back(rt);
    }
    d.toxics = std::move(next);
    d.toxic = AnyApplies(d.toxics);
    UpdateRewriters(i);
    // Data already held (by a latency toxic, or backpressure) reaches a new reset_peer now:
    // waiting for the next read would never fire when the peer waits for that data.
    if (d.toxic && (!d.queue.empty() || d.pipe_bytes > 0)) OnArrival(d.toxics, now);
    if (d.piece_left == 0) d.plan.reset();
    d.armed_at.reset();
    d.timer.Cancel();
  }
  UpdateKillTimer();
  if (connected_) {
    Pump(0);
    Pump(1);
  }
}

void Connection::UpdateKillTimer() {
  std::optional<Deadline> best;
  for (const Direction& d : dirs_) {
    if (!d.toxic) continue;
    auto dl = EarliestDeadline(d.toxics);
    if (dl && (!best || dl->at < best->at)) best = dl;
  }
  if (!best) {
    kill_timer_.Cancel();
    return;
  }
  bool reset = best->reset;
  kill_timer_.Arm(best->at, [self = shared_from_this(), reset] {
    if (!self->closed_) self->Close(reset);
  });
}

void Connection::Count(int i, size_t n) {
  if (n > 0) proxy_->counters.bytes[i].fetch_add(n, std::memory_order_relaxed);
}

namespace {

// A graceful close that must not lose what was already written (limit_data): the socket's
// write side is shut (FIN after its send queue) and its input is read and discarded until the
// peer's EOF, for at most kLingerTime. close() with unread input would send RST instead, and
// the kernel would drop the send queue: the peer would get fewer bytes than were let through.
// It keeps itself alive through its timer's callback until it finishes.
class Linger final : public Pollable, public std::enable_shared_from_this<Linger> {
 public:
  static constexpr auto kLingerTime = std::chrono::seconds(5);
  Linger(int fd, Loop& loop) : fd_(fd), loop_(loop), timer_(loop) {}
  ~Linger() { Finish(); }
  void Start() {
    ::shutdown(fd_, SHUT_WR);
    timer_.Arm(Now() + kLingerTime, [self = shared_from_this()] { self->Finish(); });
    // The socket is still registered for the connection: handed over to this object in place.
    if (!loop_.Modify(fd_, EPOLLIN | EPOLLET, this).ok()) {
      Finish();
      return;
    }
    Drain();
  }
  void OnReady(uint32_t) override { Drain(); }

 private:
  void Drain() {
    while (fd_ >= 0) {
      ssize_t n = ::recv(fd_, discard_.data(), discard_.size(), 0);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      Finish();  // EOF or error
    }
  }
  void Finish() {
    if (fd_ < 0) return;
    loop_.Remove(fd_);
    ::close(fd_);
    fd_ = -1;
    // An event of this turn may still name this object; the timer's callback may hold the
    // last reference to it.
    if (auto self = weak_from_this().lock()) loop_.Defer(self);
    timer_.Cancel();
  }

  int fd_;
  Loop& loop_;
  Timer timer_;
  std::array<char, 2048> discard_{};
};

}  // namespace

void Connection::Close(bool reset, bool linger) {
  if (closed_) return;
  closed_ = true;
  for (int& fd : fds_) {
    if (fd < 0) continue;
    if (linger && !reset && connected_) {
      std::make_shared<Linger>(fd, loop_)->Start();  // takes over the socket's registration
    } else {
      // Removed explicitly: close() drops the registration only with the last reference to the
      // socket, and a child forked by an embedding program (the daemon runs processes) may
      // hold one until it execs; events for it would then name a freed connection.
      loop_.Remove(fd);
      if (reset) {
        ::linger abort{1, 0};  // close() sends RST
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      }
      ::close(fd);
    }
    fd = -1;
  }
  for (Direction& d : dirs_) {
    d.timer.Cancel();
    d.queue.Clear();
    d.buffered = 0;
    for (int* fd : {&d.pipe_r, &d.pipe_w}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
    d.pipe_bytes = 0;
  }
  kill_timer_.Cancel();
  proxy_->counters.connections_active.fetch_sub(1, std::memory_order_relaxed);
  // An event of this turn may still name this connection (its sides): kept until the turn ends.
  // (Null in the destructor, where nothing can name it any more.)
  if (auto self = weak_from_this().lock()) loop_.Defer(self);
  // Every caller holds a reference (a task's or timer's `self`, a posted control task), so this
  // is not the last one; it is released here, outside the proxy's lock.
  ConnectionRef removed = proxy_->RemoveConnection(id_);
}

}  // namespace chaosrun::proxy
