// The shared state of one proxy: its spec, its toxics (and the immutable snapshot connections
// read), its open connections and its counters. Control calls (engine.cc) and the data path
// (listener.cc, connection.cc) meet here; everything but the atomics is guarded by `mu`, held
// only for short copies, never while waiting.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "proxy/engine.h"
#include "proxy/loop.h"
#include "proxy/toxic_params.h"

namespace chaosrun::proxy {

class Connection;
class Listener;
class UdpRelay;

// What a connection needs to know of a toxic.
struct ToxicConfig {
  uint64_t id = 0;        // stable across updates (limit_data's count survives an update)
  uint64_t revision = 0;  // bumped by every update: connections roll toxicity again
  ToxicParams params;
  double toxicity = 1.0;
  std::optional<uint64_t> seed;                  // the toxic's own generator (ToxicSpec::seed)
  std::shared_ptr<std::atomic<uint64_t>> rolls;  // with a seed: how many rolls were drawn
};

// Immutable; replaced as a whole on every change. Index 0: upstream, 1: downstream.
struct ToxicSet {
  std::vector<ToxicConfig> streams[2];
};

struct ActiveToxic {
  uint64_t id = 0;
  ToxicSpec spec;
  ToxicParams params;
  std::shared_ptr<Timer> expiry;  // on the control loop; set when spec.duration is
  uint64_t revision = 0;
  // With a seed, the n-th connection to roll this toxic's toxicity draws from MixSeed(seed, n).
  std::shared_ptr<std::atomic<uint64_t>> rolls = std::make_shared<std::atomic<uint64_t>>(0);
};

struct ProxyCounters {
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> connections_active{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> bytes[2]{0, 0};      // written to the sink: [0] upstream, [1] downstream
  std::atomic<uint64_t> datagrams[2]{0, 0};  // UDP: relayed, per direction
  std::atomic<uint64_t> datagrams_dropped[2]{0, 0};  // UDP: dropped by a toxic or a full queue
  std::atomic<uint64_t> json_rewritten{0}, json_unchanged{0}, json_oversize{0};  // json_rewrite
};

// The proxy owns its open connections: a connection with no pending operation (say, data held
// by a `timeout` toxic after both peers finished sending) must stay alive until its toxics
// change. Connection::Close() removes it, which breaks the connection <-> proxy cycle.
struct ConnectionRef {
  std::shared_ptr<Connection> connection;
  Loop* loop = nullptr;
};

struct ProxyState {
  explicit ProxyState(ProxySpec s) : spec(std::move(s)) {}

  // Rebuilds `toxic_set` from `toxics`; call with `mu` held.
  void RebuildToxicSetLocked();
  std::shared_ptr<const ToxicSet> Toxics() const;
  // Copies of the open connections, to post work to (call without `mu`).
  std::vector<ConnectionRef> Connections() const;
  // Returns the removed reference, so the caller (not `mu`) releases it.
  ConnectionRef RemoveConnection(uint64_t id);

  mutable std::mutex mu;
  ProxySpec spec;                   // listen holds the bound port once listening
  std::vector<ActiveToxic> toxics;  // in the order added
  std::shared_ptr<const ToxicSet> toxic_set = std::make_shared<ToxicSet>();
  std::shared_ptr<Listener> listener;  // null while disabled (and for UDP proxies)
  std::shared_ptr<UdpRelay> udp;       // UDP proxies: null while disabled
  std::unordered_map<uint64_t, ConnectionRef> connections;
  ProxyCounters counters;
};

// The event loops and per-engine settings the data path shares.
struct DataPlane {
  std::vector<Loop*> loops;
  std::atomic<size_t> next_loop{0};
  // Runs a blocking job (a name lookup) off the loops.
  std::function<void(std::function<void()>)> run_blocking;
  std::atomic<uint64_t> next_connection{0};
  uint64_t seed = 0;
  size_t max_buffer_bytes = 1 << 20;
  size_t read_chunk_bytes = 64 * 1024;

  Loop& NextLoop();
  uint64_t NextConnectionId() { return ++next_connection; }
  uint64_t SeedFor(uint64_t connection_id) const;
};

}  // namespace chaosrun::proxy
