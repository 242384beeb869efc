#include "proxy/udp_toxics.h"

#include <algorithm>

namespace chaosrun::proxy {

DatagramFate PlanDatagram(std::span<DatagramToxic> toxics, std::span<char> payload,
                          SteadyTime now) {
  DatagramFate fate;
  fate.at = now;
  for (DatagramToxic& t : toxics) t.applies = RollToxicity(t.toxicity, t.rng);
  for (DatagramToxic& t : toxics) {
    if (!t.applies) continue;
    switch (t.params.type) {
      case ToxicType::kTimeout:
        fate.drop = true;
        break;
      case ToxicType::kLimitData: {
        auto limit = static_cast<uint64_t>(std::max<int64_t>(t.params.bytes, 0));
        if (fate.drop) break;  // already dropped: does not count
        if (t.passed >= limit || payload.size() > limit - t.passed) {
          t.passed = limit;  // exhausted: every later datagram is dropped too
          fate.drop = true;
        } else {
          t.passed += payload.size();
        }
        break;
      }
      default:
        break;
    }
  }
  if (fate.drop) return fate;
  Nanos latency = Nanos::zero();
  for (DatagramToxic& t : toxics) {
    if (!t.applies) continue;
    if (t.params.type == ToxicType::kCorrupt) {
      fate.garbled += CorruptBytes(payload, t.params.corrupt_rate, t.corrupt, t.rng);
    } else if (t.params.type == ToxicType::kLatency) {
      latency += LatencyDelay(t.params.latency, t.params.jitter, t.rng);
    }
  }
  SteadyTime ready = now + latency;
  fate.at = ready;
  for (DatagramToxic& t : toxics) {
    if (!t.applies || t.params.type != ToxicType::kBandwidth || t.params.rate <= 0) continue;
    SteadyTime release = BandwidthRelease(ready, t.link_free, payload.size(), t.params.rate);
    t.link_free = release;
    fate.at = std::max(fate.at, release);
  }
  return fate;
}

std::vector<DatagramToxic> RefreshDatagramToxics(std::span<const DatagramToxic> current,
                                                 std::span<const ToxicConfig> configs,
                                                 uint64_t engine_seed) {
  std::vector<DatagramToxic> next;
  next.reserve(configs.size());
  for (const ToxicConfig& cfg : configs) {
    auto old = std::find_if(current.begin(), current.end(),
                            [&cfg](const DatagramToxic& t) { return t.id == cfg.id; });
    DatagramToxic t;
    if (old != current.end() && old->revision == cfg.revision) {
      t = *old;
    } else {
      t.id = cfg.id;
      t.revision = cfg.revision;
      t.rng = Rng(cfg.seed ? *cfg.seed : MixSeed(engine_seed, cfg.id));
    }
    t.params = cfg.params;
    t.toxicity = cfg.toxicity;
    next.push_back(t);
  }
  return next;
}

}  // namespace chaosrun::proxy
