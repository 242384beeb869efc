// The arithmetic of toxics, as pure functions: inputs are times, sizes, per-connection toxic
// state and a seeded random generator; no sockets, no sleeping. The connection code
// (connection.cc) asks PlanHead() what to do with the chunk at the head of a direction's queue,
// sleeps on an Asio timer when told to wait, and calls CommitSend() after the bytes are written.
// Unit tests drive the same functions with injected times (tests/unit/proxy/).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "proxy/toxic_params.h"

namespace chaosrun::proxy {

using SteadyTime = std::chrono::steady_clock::time_point;
using Nanos = std::chrono::nanoseconds;

// SplitMix64: 8 bytes of state (one per connection, so 10,000 connections cost nothing), a
// UniformRandomBitGenerator, deterministic for a given seed.
class Rng {
 public:
  using result_type = uint64_t;
  explicit Rng(uint64_t seed) : state_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return UINT64_MAX; }
  result_type operator()();
  double Uniform01();              // [0, 1)
  uint64_t Below(uint64_t bound);  // [0, bound); 0 when bound == 0

 private:
  uint64_t state_;
};

// Whether a connection gets a toxic of this toxicity (decided once per connection and toxic).
bool RollToxicity(double toxicity, Rng& rng);

// latency ± jitter (uniform in [latency - jitter, latency + jitter)), never negative.
Nanos LatencyDelay(int64_t latency_ms, int64_t jitter_ms, Rng& rng);
// How long a chunk that arrived at `arrival` still has to wait for `delay` at `now`: the time
// it already spent queued counts towards the delay.
Nanos LatencyWait(SteadyTime arrival, Nanos delay, SteadyTime now);

// Time to send `bytes` at `rate_kb_s` (1 KB = 1000 bytes, Toxiproxy's unit); 0 when rate <= 0.
Nanos BandwidthCost(size_t bytes, int64_t rate_kb_s);
// The largest piece sent in one go at this rate (10 ms worth, at least 1 byte).
size_t BandwidthPiece(int64_t rate_kb_s);
// Release time of a piece of `bytes` ready at `ready` on a link free from `link_free`.
SteadyTime BandwidthRelease(SteadyTime ready, SteadyTime link_free, size_t bytes,
                            int64_t rate_kb_s);

// The next slice of a chunk with `remaining` bytes: the remainder when it is within
// average + variation, else uniform in [average - variation, average + variation]. Successive
// slices therefore sum exactly to the chunk.
size_t NextSliceSize(size_t remaining, int64_t average, int64_t variation, Rng& rng);
std::vector<size_t> SliceSizes(size_t total, int64_t average, int64_t variation, Rng& rng);

// limit_data: how many bytes of a `chunk` may still pass after `passed` of `limit`.
size_t LimitAllowance(int64_t limit, uint64_t passed, size_t chunk);

// A reproducible seed for the `n`-th use of a toxic's own `seed` (the n-th connection that
// rolls its toxicity): distinct streams for distinct n, the same for the same (seed, n).
uint64_t MixSeed(uint64_t seed, uint64_t n);

// corrupt: where the next garbled byte is. The gap between garbled bytes is geometric with
// p = rate_ppm / 10^6, drawn one gap at a time, so the positions in a stream do not depend on
// how the stream is cut into chunks or datagrams.
struct CorruptCursor {
  uint64_t skip = 0;    // intact bytes before the next garbled one
  bool primed = false;  // `skip` holds a drawn gap
};
// Intact bytes before the next garbled one; UINT64_MAX when rate_ppm <= 0, 0 at 10^6.
uint64_t CorruptGap(int64_t rate_ppm, Rng& rng);
// Garbles bytes of `data` in place (each chosen byte is XORed with a random non-zero value, so
// it always changes); returns how many. Nothing is drawn when rate_ppm <= 0.
size_t CorruptBytes(std::span<char> data, int64_t rate_ppm, CorruptCursor& cursor, Rng& rng);

// One toxic as one connection sees it: its parameters plus the connection's state.
struct ToxicRuntime {
  uint64_t id = 0;
  uint64_t revision = 0;
  ToxicParams params;
  bool applies = false;                // the toxicity roll for this connection
  SteadyTime activated{};              // when this connection got the toxic
  SteadyTime link_free{};              // bandwidth: the emulated link is busy until then
  uint64_t passed = 0;                 // limit_data: bytes let through
  std::optional<SteadyTime> reset_at;  // reset_peer: armed by the first chunk
  Rng rng{0};                          // corrupt: this toxic's own positions and values
  CorruptCursor corrupt;               // corrupt: where the next garbled byte is
};

// The head chunk of a direction's queue as PlanHead sees it.
struct HeadChunk {
  SteadyTime arrival{};
  size_t size = 0;            // bytes left in the chunk
  bool slice_follow = false;  // a previous slice of this chunk was just sent
  SteadyTime last_write{};    // when the previous piece of this direction was written
};

struct Plan {
  enum class Kind { kSend, kHold, kClose };
  Kind kind = Kind::kSend;
  SteadyTime at{};   // kSend: not before this time
  size_t bytes = 0;  // kSend: how many bytes of the head to write now
};

// What to do with the head chunk, given the toxics that apply. kHold: data stops (timeout,
// reset_peer) until the toxic set changes; kClose: limit_data is exhausted. Samples jitter and
// slice sizes from `rng`, so a caller keeps the plan until it is carried out.
Plan PlanHead(std::span<const ToxicRuntime> toxics, const HeadChunk& head, SteadyTime now,
              Rng& rng);
// Records that `plan.bytes` were written at `now` (bandwidth link time, limit_data count).
void CommitSend(std::span<ToxicRuntime> toxics, const Plan& plan, SteadyTime now);
// limit_data exhausted: the connection closes after what was already sent.
bool LimitExhausted(std::span<const ToxicRuntime> toxics);
// Arms reset_peer toxics on the arrival of data (Toxiproxy starts the timeout at the first
// chunk). True when a deadline was armed.
bool OnArrival(std::span<ToxicRuntime> toxics, SteadyTime arrival);

// The earliest time a toxic ends the connection: timeout (close) or reset_peer (RST).
struct Deadline {
  SteadyTime at{};
  bool reset = false;
};
std::optional<Deadline> EarliestDeadline(std::span<const ToxicRuntime> toxics);
// slow_close: how long to hold the close after the last byte (the largest delay that applies).
Nanos SlowCloseDelay(std::span<const ToxicRuntime> toxics);
// Whether a toxic that changes anything applies (noop does not count).
bool AnyApplies(std::span<const ToxicRuntime> toxics);
// Garbles a piece about to be written through every corrupt toxic that applies; returns how
// many bytes changed. Called once per planned piece (never again for a partial write's rest).
size_t CorruptPiece(std::span<ToxicRuntime> toxics, std::span<char> piece);

// Release-timer accuracy. A loop thread's timer fires late by the machine's wake-up lateness
// (scheduler, other tenants, other handlers on the loop): on a busy 2-vCPU VM ~0.1 ms typically
// and 1-2 ms at p99. So a release timer is armed `margin` early, where the margin is a high
// percentile of the lateness recently observed on that loop (capped), and the rest is waited
// precisely (connection_write.cc). Pure: times are passed in.
class WakeMargin {
 public:
  static constexpr Nanos kCap = std::chrono::milliseconds(2);
  static constexpr size_t kWindow = 64;  // the most recent wake-ups
  // Records how late a timer fired (fired - armed); negative values count as 0.
  void Record(Nanos lateness);
  // The second-largest lateness of the window (about its 98th percentile), at most kCap; 0
  // before any sample.
  Nanos margin() const { return margin_; }

 private:
  std::array<int64_t, kWindow> samples_{};
  size_t count_ = 0, next_ = 0;
  Nanos margin_ = Nanos::zero();
};

// When to arm the timer of a release due at `at`: `margin` early, never before `now`.
SteadyTime EarlyWake(SteadyTime at, Nanos margin, SteadyTime now);

// Bounds the CPU a loop spends in precise waits: at most kMax of spinning per kPeriod (20% of
// one CPU), so many connections under a latency toxic cannot burn a core; beyond it a release
// falls back to the plain timer.
class SpinBudget {
 public:
  static constexpr Nanos kPeriod = std::chrono::milliseconds(50);
  static constexpr Nanos kMax = std::chrono::milliseconds(10);
  // Whether a precise wait of `wait` starting at `now` fits the budget of the current period.
  bool Allow(SteadyTime now, Nanos wait);
  // Charges `spent` of spinning that started at `now`.
  void Charge(SteadyTime now, Nanos spent);

 private:
  void Roll(SteadyTime now);
  SteadyTime period_start_{};
  Nanos used_ = Nanos::zero();
};

}  // namespace chaosrun::proxy
