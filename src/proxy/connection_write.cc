// The writing half of a connection: planning the head chunk through the toxics, timed
// release, partial writes, half-close and slow_close.
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <span>

#include "proxy/connection.h"
#include "proxy/connection_util.h"

namespace chaosrun::proxy {

using internal::kChunkOverhead;
using internal::kPiecesPerTurn;
using internal::Now;
using internal::WouldBlock;

// Like WaitReadable: a flag for the next writable edge (OnReady), set only after a write that
// the sink did not take whole (EAGAIN or a partial write: the kernel marks the socket as out of
// space, so it reports the edge when space is freed).
void Connection::WaitWritable(int i) { dirs_[i].write_waiting = true; }

void Connection::Pump(int i) {
  Direction& d = dirs_[i];
  int pieces = 0;
  while (!closed_ && !d.write_waiting) {
    if (d.pipe_bytes > 0) {
      if (!DrainPipe(i)) return;
      ResumeRead(i);
      continue;
    }
    if (d.piece_left > 0) {
      if (++pieces > kPiecesPerTurn) {
        // Enough for one turn: let the loop's other connections and timers run, then go on.
        if (!d.pump_posted) {
          d.pump_posted = true;
          loop_.Post([self = shared_from_this(), i] {
            self->dirs_[i].pump_posted = false;
            self->Pump(i);
          });
        }
        return;
      }
      if (!WritePiece(i)) return;
      if (d.toxic && LimitExhausted(d.toxics)) {
        Close(false, /*linger=*/true);
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
        return;                 // until the toxic set changes or the connection's deadline
      case Plan::Kind::kClose:  // limit_data: nothing more may pass
        Close(false, /*linger=*/true);
        return;
      case Plan::Kind::kSend:
        if (d.plan->at > now) {
          ArmTimer(i, d.plan->at);
          return;
        }
        d.piece_left = d.plan->bytes;
        if (d.toxic) {
          Chunk& head = *d.queue.head;
          (void)CorruptPiece(d.toxics,
                             std::span<char>(head.data.get() + head.offset, d.piece_left));
        }
        break;
    }
  }
}

bool Connection::WritePiece(int i) {
  Direction& d = dirs_[i];
  Chunk& h = *d.queue.head;
  ssize_t sent;
  do {
    sent = ::send(dst(i), h.data.get() + h.offset, d.piece_left, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    if (WouldBlock(errno)) {
      WaitWritable(i);
    } else {
      Close(true);
    }
    return false;
  }
  size_t w = static_cast<size_t>(sent);
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
  bool failed = ::shutdown(dst(i), SHUT_WR) != 0;
  const Direction& other = dirs_[1 - i];
  if (failed || (other.src_eof && other.dst_shut)) Close(false);
}

namespace {

// Per loop thread: the wake-up lateness seen on this loop and its spin budget.
struct LoopTiming {
  WakeMargin margin;
  SpinBudget budget;
};
thread_local LoopTiming loop_timing;

void Relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Waits until `at` on the calling thread; yields the CPU while more than 100 µs remain.
void WaitPrecisely(SteadyTime at) {
  for (SteadyTime now = Now(); now < at; now = Now()) {
    if (at - now > std::chrono::microseconds(100)) {
      sched_yield();
    } else {
      Relax();
    }
  }
}

}  // namespace

void Connection::ArmTimer(int i, SteadyTime at, bool exact) {
  Direction& d = dirs_[i];
  if (d.armed_at == at) return;  // already waiting for exactly this
  d.armed_at = at;
  SteadyTime fire = exact ? at : EarlyWake(at, loop_timing.margin.margin(), Now());
  d.timer.Arm(fire, [self = shared_from_this(), i, fire, at] {
    if (self->closed_) return;
    SteadyTime now = Now();
    LoopTiming& lt = loop_timing;
    lt.margin.Record(now - fire);
    self->dirs_[i].armed_at.reset();
    if (now < at) {
      if (!lt.budget.Allow(now, at - now)) {
        self->ArmTimer(i, at, /*exact=*/true);  // over budget: the plain timer, no spinning
        return;
      }
      WaitPrecisely(at);
      lt.budget.Charge(now, Now() - now);
    }
    self->Pump(i);
  });
}

}  // namespace chaosrun::proxy
