#include "proxy/proxy_state.h"

namespace chaosrun::proxy {

void ProxyState::RebuildToxicSetLocked() {
  auto set = std::make_shared<ToxicSet>();
  for (const ActiveToxic& t : toxics) {
    int index = t.spec.stream == Stream::kUpstream ? 0 : 1;
    set->streams[index].push_back(
        ToxicConfig{t.id, t.revision, t.params, t.spec.toxicity, t.spec.seed, t.rolls});
  }
  toxic_set = std::move(set);
}

std::shared_ptr<const ToxicSet> ProxyState::Toxics() const {
  std::lock_guard lock(mu);
  return toxic_set;
}

std::vector<ConnectionRef> ProxyState::Connections() const {
  std::lock_guard lock(mu);
  std::vector<ConnectionRef> out;
  out.reserve(connections.size());
  for (const auto& [id, ref] : connections) out.push_back(ref);
  return out;
}

ConnectionRef ProxyState::RemoveConnection(uint64_t id) {
  std::lock_guard lock(mu);
  auto it = connections.find(id);
  if (it == connections.end()) return {};
  ConnectionRef ref = std::move(it->second);
  connections.erase(it);
  return ref;
}

Loop& DataPlane::NextLoop() {
  return *loops[next_loop.fetch_add(1, std::memory_order_relaxed) % loops.size()];
}

uint64_t DataPlane::SeedFor(uint64_t connection_id) const {
  // A distinct, reproducible stream per connection for a given engine seed.
  uint64_t z = seed ^ (connection_id * 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
  return z ^ (z >> 33);
}

}  // namespace chaosrun::proxy
