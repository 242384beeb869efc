// The toxics of a UDP proxy, applied per datagram, as pure functions (like toxic_math.h): inputs
// are the datagram, the time and each toxic's own state and generator; no sockets, no sleeping.
// udp_relay.cc asks PlanDatagram what becomes of each datagram; unit tests drive the same code
// with injected times (tests/unit/proxy/udp_toxics_test.cc).
//
// On a UDP proxy a toxic's `toxicity` is rolled for every datagram (there is no connection), by
// the toxic's own generator: seeded with the toxic's `seed` when it has one, else from the
// engine's seed and the toxic's id. The n-th datagram through a toxic with a given seed thus
// meets the same fate in every run.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "proxy/proxy_state.h"
#include "proxy/toxic_math.h"

namespace chaosrun::proxy {

// One toxic of one direction of a UDP proxy.
struct DatagramToxic {
  uint64_t id = 0;
  uint64_t revision = 0;
  ToxicParams params;
  double toxicity = 1.0;
  Rng rng{0};              // toxicity rolls, jitter, corrupt positions and values
  SteadyTime link_free{};  // bandwidth: the emulated link is busy until then
  uint64_t passed = 0;     // limit_data: bytes let through
  CorruptCursor corrupt;
  bool applies = false;  // the current datagram's toxicity roll
};

struct DatagramFate {
  bool drop = false;   // timeout (datagrams vanish) or limit_data exhausted
  SteadyTime at{};     // not dropped: when to send it (at or after `now`)
  size_t garbled = 0;  // corrupt: bytes changed in place
};

// What becomes of one datagram of `payload.size()` bytes that arrived at `now`. Every toxic rolls
// its toxicity first, in order, so a toxic's draws do not depend on the others' verdicts. Then,
// among those that apply: timeout drops it; limit_data drops it unless it fits whole in what is
// left of `bytes` (after which every later datagram is dropped); corrupt garbles `payload` in
// place; latency delays it by latency ± jitter; bandwidth sends it after the previous ones at
// `rate` KB/s. Other types are ignored (a UDP proxy refuses them: AppliesToUdp).
DatagramFate PlanDatagram(std::span<DatagramToxic> toxics, std::span<char> payload, SteadyTime now);

// The toxics of one direction after a change of the proxy's toxic set: a toxic whose id and
// revision are unchanged keeps its state (generator, link, count); a new or updated one starts
// afresh, its generator seeded with its `seed`, else MixSeed(engine_seed, id).
std::vector<DatagramToxic> RefreshDatagramToxics(std::span<const DatagramToxic> current,
                                                 std::span<const ToxicConfig> configs,
                                                 uint64_t engine_seed);

}  // namespace chaosrun::proxy
