#include "proxy/connection.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <boost/asio/connect.hpp>

#include "proxy/address.h"
#include "proxy/connection_util.h"

namespace chaosrun::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using internal::kChunkOverhead;
using internal::kPipeBytes;
using internal::kReadsPerTurn;
using internal::Now;
using internal::WouldBlock;

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

Connection::Connection(asio::io_context& context, tcp::socket client,
                       std::shared_ptr<ProxyState> proxy, DataPlane& plane, uint64_t id)
    : context_(context),
      client_(std::move(client)),
      server_(context),
      proxy_(std::move(proxy)),
      plane_(plane),
      id_(id),
      rng_(plane.SeedFor(id)),
      dirs_{Direction(context), Direction(context)},
      kill_timer_(context) {
  dirs_[0].src = &client_;
  dirs_[0].dst = &server_;
  dirs_[1].src = &server_;
  dirs_[1].dst = &client_;
  proxy_->counters.connections_active.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() { Close(false); }

void Connection::Start(const std::string& upstream) {
  RefreshToxics();
  if (closed_) return;
  auto target = ParseHostPort(upstream, "upstream");
  if (!target) {
    proxy_->counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
    Close(false);
    return;
  }
  auto self = shared_from_this();
  auto on_connect = [self](const error_code& ec) {
    if (self->closed_) return;
    if (ec) {
      self->proxy_->counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
      self->Close(false);
      return;
    }
    self->Connected();
  };
  error_code ec;
  auto address = asio::ip::make_address(target->host, ec);
  if (!ec) {
    // Opened and made non-blocking here, so async_connect does not set FIONBIO a second time.
    server_.open(address.is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (!ec) server_.non_blocking(true, ec);
    if (ec) {
      on_connect(ec);
      return;
    }
    server_.async_connect(tcp::endpoint(address, target->port), on_connect);
    return;
  }
  auto resolver = std::make_shared<tcp::resolver>(context_);
  resolver->async_resolve(
      target->host, std::to_string(target->port),
      [self, resolver, on_connect](const error_code& rec, tcp::resolver::results_type results) {
        if (self->closed_) return;
        if (rec) {
          on_connect(rec);
          return;
        }
        asio::async_connect(
            self->server_, results,
            [on_connect](const error_code& cec, const tcp::endpoint&) { on_connect(cec); });
      });
}

void Connection::Connected() {
  // The listener set TCP_NODELAY on the client side; a resolved upstream is not yet
  // non-blocking (asio::async_connect opened it).
  error_code ec;
  server_.set_option(tcp::no_delay(true), ec);
  if (!ec) client_.non_blocking(true, ec);
  if (!ec && !server_.non_blocking()) server_.non_blocking(true, ec);
  if (ec) {
    Close(true);
    return;
  }
  connected_ = true;
  TryRead(0);
  TryRead(1);
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
        rt.applies = RollToxicity(cfg.toxicity, rng_);
        rt.activated = now;
        rt.reset_at.reset();
      }
      rt.params = cfg.params;
      next.push_back(rt);
    }
    d.toxics = std::move(next);
    d.toxic = AnyApplies(d.toxics);
    // Data already held (by a latency toxic, or backpressure) reaches a new reset_peer now:
    // waiting for the next read would never fire when the peer waits for that data.
    if (d.toxic && (!d.queue.empty() || d.pipe_bytes > 0)) OnArrival(d.toxics, now);
    if (d.piece_left == 0) d.plan.reset();
    ++d.timer_gen;
    d.armed_at.reset();
    d.timer.cancel();
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
  uint64_t gen = ++kill_gen_;
  if (!best) {
    kill_timer_.cancel();
    return;
  }
  bool reset = best->reset;
  kill_timer_.expires_at(best->at);
  kill_timer_.async_wait([self = shared_from_this(), gen, reset](const error_code& ec) {
    if (ec || self->closed_ || gen != self->kill_gen_) return;
    self->Close(reset);
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
class Linger : public std::enable_shared_from_this<Linger> {
 public:
  static constexpr auto kLingerTime = std::chrono::seconds(5);
  Linger(tcp::socket socket, asio::io_context& context)
      : socket_(std::move(socket)), timer_(context) {}
  void Start() {
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    timer_.expires_after(kLingerTime);
    timer_.async_wait([self = shared_from_this()](const error_code& wec) {
      if (!wec) self->Finish();
    });
    Read();
  }

 private:
  void Read() {
    socket_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](const error_code& ec, size_t) {
                              if (ec) {
                                self->Finish();  // EOF, error, or closed by the timer
                                return;
                              }
                              self->Read();
                            });
  }
  void Finish() {
    error_code ec;
    timer_.cancel();
    socket_.close(ec);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::array<char, 2048> discard_{};
};

}  // namespace

void Connection::Close(bool reset, bool linger) {
  if (closed_) return;
  closed_ = true;
  error_code ec;
  for (tcp::socket* s : {&client_, &server_}) {
    if (!s->is_open()) continue;
    if (linger && !reset) {
      s->cancel(ec);  // this connection's pending waits complete (closed_) and let go
      std::make_shared<Linger>(std::move(*s), context_)->Start();
      continue;
    }
    if (reset) s->set_option(asio::socket_base::linger(true, 0), ec);
    s->close(ec);
  }
  for (Direction& d : dirs_) {
    d.timer.cancel();
    d.queue.Clear();
    d.buffered = 0;
    for (int* fd : {&d.pipe_r, &d.pipe_w}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
    d.pipe_bytes = 0;
  }
  kill_timer_.cancel();
  proxy_->counters.connections_active.fetch_sub(1, std::memory_order_relaxed);
  // Every caller holds a reference (a handler's `self`, a posted control task), so this is not
  // the last one; it is released here, outside the proxy's lock.
  ConnectionRef removed = proxy_->RemoveConnection(id_);
}

}  // namespace chaosrun::proxy
