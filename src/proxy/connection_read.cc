// The reading half of a connection: readiness waits, the copy-free fast path, the splice(2)
// bulk path, queueing and backpressure.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "proxy/connection.h"
#include "proxy/connection_util.h"

namespace chaosrun::proxy {

using internal::kChunkOverhead;
using internal::kPipeBytes;
using internal::kReadsPerTurn;
using internal::Now;
using internal::WouldBlock;

namespace {

char* ThreadBuffer(size_t size) {
  thread_local std::vector<char> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

}  // namespace

void Connection::TryRead(int i) {
  Direction& d = dirs_[i];
  d.read_posted = false;
  char* buffer = ThreadBuffer(plane_.read_chunk_bytes);
  for (int round = 0; round < kReadsPerTurn; ++round) {
    if (closed_ || d.src_eof || d.read_waiting) return;
    if (d.pipe_r >= 0 && !d.toxic && !Observing(i) && d.queue.empty() && d.piece_left == 0) {
      if (!SpliceRound(i)) return;
      continue;
    }
    size_t room = plane_.max_buffer_bytes > d.buffered ? plane_.max_buffer_bytes - d.buffered : 0;
    if (room == 0) {
      d.read_paused = true;
      return;
    }
    size_t want = std::min(room, plane_.read_chunk_bytes);
    ssize_t got = ::recv(src(i), buffer, want, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (WouldBlock(errno)) {
        d.drain = false;  // the receive queue is empty
        WaitReadable(i);
      } else {
        Close(true);  // a reset (or error) from the source is passed on as a reset
      }
      return;
    }
    if (got == 0) {
      d.src_eof = true;
      FlushRewriters(i);  // the stream ended: what they hold goes out unchanged
      Pump(i);
      return;
    }
    size_t n = static_cast<size_t>(got);
    SteadyTime now = Now();
    d.seen += n;
    if (Observing(i)) Observe(std::string_view(buffer, n));
    size_t written = 0;
    if (!d.rewriters.empty()) {
      if (OnArrival(d.toxics, now)) UpdateKillTimer();
      RewriteIn(i, std::string_view(buffer, n), now);
      written = n;  // taken by the rewriters (queued, or held by them)
      Pump(i);
    } else if (d.toxic) {
      if (OnArrival(d.toxics, now)) UpdateKillTimer();
    } else if (d.queue.empty() && !d.write_waiting && d.piece_left == 0) {
      ssize_t sent;
      do {
        sent = ::send(dst(i), buffer, n, MSG_NOSIGNAL);
      } while (sent < 0 && errno == EINTR);
      if (sent >= 0) {
        written = static_cast<size_t>(sent);
      } else if (!WouldBlock(errno)) {
        Close(true);
        return;
      }
      Count(i, written);
      if (written == n && n == plane_.read_chunk_bytes && d.pipe_r == -1 && !Observing(i)) {
        EnableSplice(i);
      }
    }
    if (written < n) {
      Enqueue(i, buffer + written, n - written, now);
      Pump(i);
    }
    // A read shorter than asked for emptied the socket's receive queue: wait for the next
    // readable edge instead of a second read that would only say EAGAIN. Data that arrives
    // after this read is a new edge, so nothing is missed. Not when an edge reported urgent
    // data, a FIN or an error (Direction::drain): those may sit behind the data just read.
    if (n < want && !d.drain) {
      if (!closed_ && !d.src_eof && !d.read_waiting) WaitReadable(i);
      return;
    }
  }
  if (closed_ || d.read_waiting) return;
  d.read_posted = true;
  loop_.Post([self = shared_from_this(), i] { self->TryRead(i); });
}

// The socket is registered edge-triggered for good (Start): waiting is only a flag that lets the
// next readable edge call TryRead (OnReady). Set only after a read found the queue empty.
void Connection::WaitReadable(int i) { dirs_[i].read_waiting = true; }

void Connection::ResumeRead(int i) {
  Direction& d = dirs_[i];
  if (!d.read_paused || closed_ || d.buffered >= plane_.max_buffer_bytes) return;
  d.read_paused = false;
  if (d.read_posted || d.read_waiting) return;
  d.read_posted = true;
  loop_.Post([self = shared_from_this(), i] { self->TryRead(i); });
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
  ssize_t n = ::splice(src(i), nullptr, d.pipe_w, nullptr, std::min<size_t>(room, kPipeBytes),
                       SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  // TCP urgent data: splice stops at the urgent mark and says EAGAIN while the socket stays
  // readable (a wait would complete at once, forever), or 0 as if at EOF once the peer's FIN
  // is queued behind the data. recv() steps over the mark, so at the mark this direction
  // leaves the splice path for good (the pipe is empty here) and reads on with recv().
  auto at_urgent_mark = [&] {
    int at_mark = 0;
    if (::ioctl(src(i), SIOCATMARK, &at_mark) != 0 || !at_mark) return false;
    ::close(d.pipe_r);
    ::close(d.pipe_w);
    d.pipe_r = -2;  // never again on this direction
    d.pipe_w = -1;
    return true;
  };
  if (n == 0) {
    if (at_urgent_mark()) return true;
    d.src_eof = true;
    Pump(i);
    return false;
  }
  if (n < 0) {
    if (errno == EINTR) return true;
    if (errno == EAGAIN) {
      if (at_urgent_mark()) return true;
      WaitReadable(i);
    } else {
      Close(true);
    }
    return false;
  }
  d.pipe_bytes = static_cast<size_t>(n);
  d.buffered += d.pipe_bytes;
  d.seen += d.pipe_bytes;
  if (!DrainPipe(i)) {
    d.read_paused = true;
    return false;
  }
  return true;
}

bool Connection::DrainPipe(int i) {
  Direction& d = dirs_[i];
  while (d.pipe_bytes > 0 && !closed_) {
    ssize_t w = ::splice(d.pipe_r, nullptr, dst(i), nullptr, d.pipe_bytes,
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

}  // namespace chaosrun::proxy
