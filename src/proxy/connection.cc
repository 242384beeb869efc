#include "proxy/connection.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "proxy/address.h"

namespace chaosrun::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr size_t kChunkOverhead = 64;   // accounted per queued chunk, so tiny reads stay bounded
constexpr int kReadsPerTurn = 16;       // then yield to other connections on the loop
constexpr int kPipeBytes = 256 * 1024;  // splice pipe capacity (kernel memory, bulk only)

char* ThreadBuffer(size_t size) {
  thread_local std::vector<char> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

bool WouldBlock(const error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

SteadyTime Now() { return std::chrono::steady_clock::now(); }

}  // namespace

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
  error_code ec;
  for (tcp::socket* s : {&client_, &server_}) {
    s->set_option(tcp::no_delay(true), ec);
    s->non_blocking(true, ec);
    if (ec) {
      Close(true);
      return;
    }
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
      if (!found) {
        rt.id = cfg.id;
        rt.applies = RollToxicity(cfg.toxicity, rng_);
        rt.activated = now;
      }
      rt.params = cfg.params;
      next.push_back(rt);
    }
    d.toxics = std::move(next);
    d.toxic = AnyApplies(d.toxics);
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

void Connection::TryRead(int i) {
  Direction& d = dirs_[i];
  d.read_posted = false;
  char* buffer = ThreadBuffer(plane_.read_chunk_bytes);
  for (int round = 0; round < kReadsPerTurn; ++round) {
    if (closed_ || d.src_eof || d.read_waiting) return;
    if (d.pipe_r >= 0 && !d.toxic && d.queue.empty() && d.piece_left == 0) {
      if (!SpliceRound(i)) return;
      continue;
    }
    size_t room = plane_.max_buffer_bytes > d.buffered ? plane_.max_buffer_bytes - d.buffered : 0;
    if (room == 0) {
      d.read_paused = true;
      return;
    }
    error_code ec;
    size_t n = d.src->read_some(asio::buffer(buffer, std::min(room, plane_.read_chunk_bytes)), ec);
    if (WouldBlock(ec)) {
      WaitReadable(i);
      return;
    }
    if (ec == asio::error::eof) {
      d.src_eof = true;
      Pump(i);
      return;
    }
    if (ec) {
      Close(true);  // a reset (or error) from the source is passed on as a reset
      return;
    }
    SteadyTime now = Now();
    size_t written = 0;
    if (d.toxic) {
      if (OnArrival(d.toxics, now)) UpdateKillTimer();
    } else if (d.queue.empty() && !d.write_waiting && d.piece_left == 0) {
      written = d.dst->write_some(asio::buffer(buffer, n), ec);
      if (WouldBlock(ec)) {
        written = 0;
      } else if (ec) {
        Close(true);
        return;
      }
      Count(i, written);
      if (written == n && n == plane_.read_chunk_bytes && d.pipe_r == -1) EnableSplice(i);
    }
    if (written < n) {
      Enqueue(i, buffer + written, n - written, now);
      Pump(i);
    }
  }
  if (closed_ || d.read_waiting) return;
  d.read_posted = true;
  asio::post(context_, [self = shared_from_this(), i] { self->TryRead(i); });
}

void Connection::WaitReadable(int i) {
  Direction& d = dirs_[i];
  d.read_waiting = true;
  d.src->async_wait(tcp::socket::wait_read, [self = shared_from_this(), i](const error_code& ec) {
    self->dirs_[i].read_waiting = false;
    if (self->closed_) return;
    if (ec) {
      self->Close(true);
      return;
    }
    self->TryRead(i);
  });
}

void Connection::WaitWritable(int i) {
  Direction& d = dirs_[i];
  d.write_waiting = true;
  d.dst->async_wait(tcp::socket::wait_write, [self = shared_from_this(), i](const error_code& ec) {
    self->dirs_[i].write_waiting = false;
    if (self->closed_) return;
    if (ec) {
      self->Close(true);
      return;
    }
    self->Pump(i);
  });
}

void Connection::ResumeRead(int i) {
  Direction& d = dirs_[i];
  if (!d.read_paused || closed_ || d.buffered >= plane_.max_buffer_bytes) return;
  d.read_paused = false;
  if (d.read_posted || d.read_waiting) return;
  d.read_posted = true;
  asio::post(context_, [self = shared_from_this(), i] { self->TryRead(i); });
}

void Connection::Enqueue(int i, const char* data, size_t n, SteadyTime arrival) {
  auto chunk = std::make_unique<Chunk>();
  chunk->arrival = arrival;
  chunk->size = n;
  chunk->data.reset(new char[n]);
  std::memcpy(chunk->data.get(), data, n);
  dirs_[i].queue.Push(std::move(chunk));
  dirs_[i].buffered += n + kChunkOverhead;
}

void Connection::Pump(int i) {
  Direction& d = dirs_[i];
  while (!closed_ && !d.write_waiting) {
    if (d.pipe_bytes > 0) {
      if (!DrainPipe(i)) return;
      ResumeRead(i);
      continue;
    }
    if (d.piece_left > 0) {
      if (!WritePiece(i)) return;
      if (d.toxic && LimitExhausted(d.toxics)) {
        Close(false);
        return;
      }
      ResumeRead(i);
      continue;
    }
    if (d.queue.empty()) {
      ResumeRead(i);
      if (d.src_eof && !d.dst_shut) FinishDirection(i);
      return;
    }
    SteadyTime now = Now();
    if (!d.plan) {
      const Chunk& h = *d.queue.head;
      d.plan =
          PlanHead(d.toxics, HeadChunk{h.arrival, h.size - h.offset, h.slice_follow, d.last_write},
                   now, rng_);
    }
    switch (d.plan->kind) {
      case Plan::Kind::kHold:
        return;  // until the toxic set changes or the connection's deadline
      case Plan::Kind::kClose:
        Close(false);
        return;
      case Plan::Kind::kSend:
        if (d.plan->at > now) {
          ArmTimer(i, d.plan->at);
          return;
        }
        d.piece_left = d.plan->bytes;
        break;
    }
  }
}

bool Connection::WritePiece(int i) {
  Direction& d = dirs_[i];
  Chunk& h = *d.queue.head;
  error_code ec;
  size_t w = d.dst->write_some(asio::buffer(h.data.get() + h.offset, d.piece_left), ec);
  if (WouldBlock(ec)) {
    WaitWritable(i);
    return false;
  }
  if (ec) {
    Close(true);
    return false;
  }
  Count(i, w);
  h.offset += w;
  d.piece_left -= w;
  d.buffered -= w;
  if (d.piece_left > 0) {
    WaitWritable(i);
    return false;
  }
  SteadyTime now = Now();
  if (d.plan) CommitSend(d.toxics, *d.plan, now);
  d.plan.reset();
  d.last_write = now;
  if (h.offset == h.size) {
    d.buffered -= kChunkOverhead;
    d.queue.Pop();
  } else {
    h.slice_follow = true;
  }
  return true;
}

void Connection::FinishDirection(int i) {
  Direction& d = dirs_[i];
  if (d.toxic) {
    Nanos delay = SlowCloseDelay(d.toxics);
    if (delay > Nanos::zero()) {
      SteadyTime now = Now();
      if (!d.close_at) d.close_at = now + delay;
      if (now < *d.close_at) {
        ArmTimer(i, *d.close_at);
        return;
      }
    }
  }
  d.dst_shut = true;
  error_code ec;
  d.dst->shutdown(tcp::socket::shutdown_send, ec);
  const Direction& other = dirs_[1 - i];
  if (ec || (other.src_eof && other.dst_shut)) Close(false);
}

void Connection::EnableSplice(int i) {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    dirs_[i].pipe_r = -2;  // out of descriptors: stay on the copying path, do not retry
    return;
  }
  ::fcntl(fds[1], F_SETPIPE_SZ, kPipeBytes);
  dirs_[i].pipe_r = fds[0];
  dirs_[i].pipe_w = fds[1];
}

bool Connection::SpliceRound(int i) {
  Direction& d = dirs_[i];
  if (d.write_waiting || (d.pipe_bytes > 0 && !DrainPipe(i))) {
    d.read_paused = true;  // Pump resumes reading once the pipe is drained
    return false;
  }
  if (closed_) return false;
  size_t room = plane_.max_buffer_bytes > d.buffered ? plane_.max_buffer_bytes - d.buffered : 0;
  if (room == 0) {
    d.read_paused = true;
    return false;
  }
  ssize_t n = ::splice(d.src->native_handle(), nullptr, d.pipe_w, nullptr,
                       std::min<size_t>(room, kPipeBytes), SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n == 0) {
    d.src_eof = true;
    Pump(i);
    return false;
  }
  if (n < 0) {
    if (errno == EINTR) return true;
    if (errno == EAGAIN) {
      WaitReadable(i);
    } else {
      Close(true);
    }
    return false;
  }
  d.pipe_bytes = static_cast<size_t>(n);
  d.buffered += d.pipe_bytes;
  if (!DrainPipe(i)) {
    d.read_paused = true;
    return false;
  }
  return true;
}

bool Connection::DrainPipe(int i) {
  Direction& d = dirs_[i];
  while (d.pipe_bytes > 0 && !closed_) {
    ssize_t w = ::splice(d.pipe_r, nullptr, d.dst->native_handle(), nullptr, d.pipe_bytes,
                         SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        WaitWritable(i);
      } else {
        Close(true);
      }
      return false;
    }
    d.pipe_bytes -= static_cast<size_t>(w);
    d.buffered -= static_cast<size_t>(w);
    Count(i, static_cast<size_t>(w));
  }
  return !closed_;
}

void Connection::ArmTimer(int i, SteadyTime at) {
  Direction& d = dirs_[i];
  if (d.armed_at == at) return;  // already waiting for exactly this
  uint64_t gen = ++d.timer_gen;
  d.armed_at = at;
  d.timer.expires_at(at);
  d.timer.async_wait([self = shared_from_this(), i, gen](const error_code& ec) {
    if (ec || self->closed_ || gen != self->dirs_[i].timer_gen) return;
    self->dirs_[i].armed_at.reset();
    self->Pump(i);
  });
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

void Connection::Close(bool reset) {
  if (closed_) return;
  closed_ = true;
  error_code ec;
  for (tcp::socket* s : {&client_, &server_}) {
    if (!s->is_open()) continue;
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
  proxy_->RemoveConnection(id_);
  proxy_->counters.connections_active.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace chaosrun::proxy
