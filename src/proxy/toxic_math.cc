#include "proxy/toxic_math.h"

#include <algorithm>
#include <cmath>

namespace chaosrun::proxy {

using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {
__extension__ using U128 = unsigned __int128;  // GCC/Clang; __extension__ keeps -Wpedantic quiet
}  // namespace

Rng::result_type Rng::operator()() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::Uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

uint64_t Rng::Below(uint64_t bound) {
  if (bound == 0) return 0;
  // Multiply-shift (Lemire) without the rejection step: the bias is < bound / 2^64.
  return static_cast<uint64_t>((static_cast<U128>((*this)()) * bound) >> 64);
}

bool RollToxicity(double toxicity, Rng& rng) {
  if (toxicity >= 1.0) return true;
  if (toxicity <= 0.0) return false;
  return rng.Uniform01() < toxicity;
}

namespace {
constexpr Nanos kMaxDelay = std::chrono::hours(24 * 365 * 3);
}  // namespace

Nanos LatencyDelay(int64_t latency_ms, int64_t jitter_ms, Rng& rng) {
  Nanos delay = milliseconds(latency_ms);
  if (jitter_ms > 0) {
    // Uniform over [-jitter, +jitter) at nanosecond resolution.
    auto span = static_cast<uint64_t>(Nanos(milliseconds(jitter_ms)).count()) * 2;
    delay += Nanos(static_cast<int64_t>(rng.Below(span))) - milliseconds(jitter_ms);
  }
  return std::max(delay, Nanos::zero());
}

Nanos LatencyWait(SteadyTime arrival, Nanos delay, SteadyTime now) {
  return std::max(arrival + delay - now, Nanos::zero());
}

Nanos BandwidthCost(size_t bytes, int64_t rate_kb_s) {
  if (rate_kb_s <= 0) return Nanos::zero();
  // rate KB/s == rate bytes per ms: bytes * 1e6 / rate nanoseconds.
  return Nanos(
      static_cast<int64_t>(static_cast<U128>(bytes) * 1000000 / static_cast<uint64_t>(rate_kb_s)));
}

size_t BandwidthPiece(int64_t rate_kb_s) {
  if (rate_kb_s <= 0) return SIZE_MAX;
  return static_cast<size_t>(std::max<int64_t>(1, std::min<int64_t>(rate_kb_s * 10, 1 << 30)));
}

SteadyTime BandwidthRelease(SteadyTime ready, SteadyTime link_free, size_t bytes,
                            int64_t rate_kb_s) {
  return std::max(ready, link_free) + BandwidthCost(bytes, rate_kb_s);
}

size_t NextSliceSize(size_t remaining, int64_t average, int64_t variation, Rng& rng) {
  auto avg = static_cast<uint64_t>(std::max<int64_t>(average, 1));
  auto var = static_cast<uint64_t>(std::clamp<int64_t>(variation, 0, average - 1));
  if (remaining <= avg + var) return remaining;
  uint64_t size = avg - var + rng.Below(2 * var + 1);
  return static_cast<size_t>(std::min<uint64_t>(size, remaining));
}

std::vector<size_t> SliceSizes(size_t total, int64_t average, int64_t variation, Rng& rng) {
  std::vector<size_t> sizes;
  while (total > 0) {
    size_t s = NextSliceSize(total, average, variation, rng);
    sizes.push_back(s);
    total -= s;
  }
  return sizes;
}

size_t LimitAllowance(int64_t limit, uint64_t passed, size_t chunk) {
  if (limit <= 0 || passed >= static_cast<uint64_t>(limit)) return 0;
  return static_cast<size_t>(std::min<uint64_t>(chunk, static_cast<uint64_t>(limit) - passed));
}

uint64_t MixSeed(uint64_t seed, uint64_t n) {
  uint64_t z = seed + (n + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t CorruptGap(int64_t rate_ppm, Rng& rng) {
  if (rate_ppm <= 0) return UINT64_MAX;
  if (rate_ppm >= 1'000'000) return 0;
  double p = static_cast<double>(rate_ppm) / 1e6;
  double u = 1.0 - rng.Uniform01();  // (0, 1]: log(u) is finite
  double gap = std::floor(std::log(u) / std::log1p(-p));
  if (!(gap < 9.0e18)) return UINT64_MAX;
  return static_cast<uint64_t>(gap);
}

size_t CorruptBytes(std::span<char> data, int64_t rate_ppm, CorruptCursor& cursor, Rng& rng) {
  if (rate_ppm <= 0) return 0;
  size_t garbled = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    if (!cursor.primed) {
      cursor.skip = CorruptGap(rate_ppm, rng);
      cursor.primed = true;
    }
    uint64_t left = data.size() - pos;
    if (cursor.skip >= left) {
      cursor.skip -= left;
      break;
    }
    pos += static_cast<size_t>(cursor.skip);
    auto flip = static_cast<unsigned char>(1 + rng.Below(255));
    data[pos] = static_cast<char>(static_cast<unsigned char>(data[pos]) ^ flip);
    ++garbled;
    ++pos;
    cursor.primed = false;
  }
  return garbled;
}

Plan PlanHead(std::span<const ToxicRuntime> toxics, const HeadChunk& head, SteadyTime now,
              Rng& rng) {
  Plan plan;
  plan.bytes = head.size;
  SteadyTime ready = now;
  Nanos latency = Nanos::zero();
  // First the size of the piece (slicer, limit_data, bandwidth), then its release time.
  for (const ToxicRuntime& t : toxics) {
    if (!t.applies) continue;
    const ToxicParams& p = t.params;
    switch (p.type) {
      case ToxicType::kTimeout:
      case ToxicType::kResetPeer:
        return Plan{Plan::Kind::kHold, {}, 0};
      case ToxicType::kLimitData: {
        size_t allow = LimitAllowance(p.bytes, t.passed, plan.bytes);
        if (allow == 0) return Plan{Plan::Kind::kClose, {}, 0};
        plan.bytes = allow;
        break;
      }
      case ToxicType::kSlicer:
        plan.bytes =
            std::min(plan.bytes, NextSliceSize(head.size, p.average_size, p.size_variation, rng));
        if (head.slice_follow) ready = std::max(ready, head.last_write + microseconds(p.delay));
        break;
      case ToxicType::kBandwidth:
        plan.bytes = std::min(plan.bytes, BandwidthPiece(p.rate));
        break;
      case ToxicType::kLatency:
        // Each delay is bounded (toxic_params.cc); many toxics together saturate at ~3 years.
        latency = std::min<Nanos>(latency + LatencyDelay(p.latency, p.jitter, rng), kMaxDelay);
        break;
      case ToxicType::kSlowClose:
      case ToxicType::kNoop:
      case ToxicType::kCorrupt:      // changes bytes, not timing (CorruptPiece)
      case ToxicType::kJsonRewrite:  // rewrites messages as they are read (connection_read.cc)
        break;
    }
  }
  ready = std::max(ready, head.arrival + latency);
  SteadyTime at = ready;
  for (const ToxicRuntime& t : toxics) {
    if (t.applies && t.params.type == ToxicType::kBandwidth && t.params.rate > 0) {
      at = std::max(at, BandwidthRelease(ready, t.link_free, plan.bytes, t.params.rate));
    }
  }
  plan.at = at;
  return plan;
}

void CommitSend(std::span<ToxicRuntime> toxics, const Plan& plan, SteadyTime now) {
  for (ToxicRuntime& t : toxics) {
    if (!t.applies) continue;
    if (t.params.type == ToxicType::kBandwidth) t.link_free = std::max(plan.at, now);
    if (t.params.type == ToxicType::kLimitData) t.passed += plan.bytes;
  }
}

bool LimitExhausted(std::span<const ToxicRuntime> toxics) {
  return std::any_of(toxics.begin(), toxics.end(), [](const ToxicRuntime& t) {
    return t.applies && t.params.type == ToxicType::kLimitData &&
           t.passed >= static_cast<uint64_t>(std::max<int64_t>(t.params.bytes, 0));
  });
}

bool OnArrival(std::span<ToxicRuntime> toxics, SteadyTime arrival) {
  bool armed = false;
  for (ToxicRuntime& t : toxics) {
    if (t.applies && t.params.type == ToxicType::kResetPeer && !t.reset_at) {
      t.reset_at = arrival + milliseconds(t.params.timeout);
      armed = true;
    }
  }
  return armed;
}

std::optional<Deadline> EarliestDeadline(std::span<const ToxicRuntime> toxics) {
  std::optional<Deadline> best;
  auto consider = [&best](SteadyTime at, bool reset) {
    if (!best || at < best->at) best = Deadline{at, reset};
  };
  for (const ToxicRuntime& t : toxics) {
    if (!t.applies) continue;
    if (t.params.type == ToxicType::kTimeout && t.params.timeout > 0) {
      consider(t.activated + milliseconds(t.params.timeout), false);
    }
    if (t.params.type == ToxicType::kResetPeer && t.reset_at) consider(*t.reset_at, true);
  }
  return best;
}

Nanos SlowCloseDelay(std::span<const ToxicRuntime> toxics) {
  Nanos delay = Nanos::zero();
  for (const ToxicRuntime& t : toxics) {
    if (t.applies && t.params.type == ToxicType::kSlowClose) {
      delay = std::max<Nanos>(delay, milliseconds(t.params.delay));
    }
  }
  return delay;
}

bool AnyApplies(std::span<const ToxicRuntime> toxics) {
  // noop changes nothing, so a direction with only noop keeps the fast (and splice) path.
  return std::any_of(toxics.begin(), toxics.end(), [](const ToxicRuntime& t) {
    return t.applies && t.params.type != ToxicType::kNoop;
  });
}

size_t CorruptPiece(std::span<ToxicRuntime> toxics, std::span<char> piece) {
  size_t garbled = 0;
  for (ToxicRuntime& t : toxics) {
    if (t.applies && t.params.type == ToxicType::kCorrupt) {
      garbled += CorruptBytes(piece, t.params.corrupt_rate, t.corrupt, t.rng);
    }
  }
  return garbled;
}

void WakeMargin::Record(Nanos lateness) {
  samples_[next_] = std::max<int64_t>(lateness.count(), 0);
  next_ = (next_ + 1) % kWindow;
  count_ = std::min(count_ + 1, kWindow);
  // The two largest of the window, in one pass (64 values: cheaper than sorting).
  int64_t first = 0, second = 0;
  for (size_t k = 0; k < count_; ++k) {
    int64_t v = samples_[k];
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) {
      second = v;
    }
  }
  int64_t pick = count_ >= 2 ? second : first;
  margin_ = std::min(Nanos(pick), kCap);
}

SteadyTime EarlyWake(SteadyTime at, Nanos margin, SteadyTime now) {
  return std::max(at - std::max(margin, Nanos::zero()), std::min(now, at));
}

void SpinBudget::Roll(SteadyTime now) {
  if (now - period_start_ >= kPeriod || now < period_start_) {
    period_start_ = now;
    used_ = Nanos::zero();
  }
}

bool SpinBudget::Allow(SteadyTime now, Nanos wait) {
  Roll(now);
  return used_ + wait <= kMax;
}

void SpinBudget::Charge(SteadyTime now, Nanos spent) {
  Roll(now);
  used_ += std::max(spent, Nanos::zero());
}

}  // namespace chaosrun::proxy
