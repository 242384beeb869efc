// The fault proxy engine: named TCP proxies (listen -> upstream), each connection relayed in
// both directions through a chain of toxics per direction, on Asio event loops (no thread per
// connection). Embeddable: `chaosrun proxy serve` and the daemon host it; the Toxiproxy-compatible
// HTTP API (src/proxy_api/) is a thin layer over this class.
//
// Thread-safety: every public method may be called from any thread while the engine runs. Control
// calls never wait for data traffic: they change the shared configuration under a short lock and
// post the change to the loop, so they stay fast under heavy load.
//
// JSON shapes are Toxiproxy's (see docs/network.md):
//   proxy: {"name", "listen", "upstream", "enabled", "toxics": [toxic...]}
//   toxic: {"name", "type", "stream": "upstream"|"downstream", "toxicity", "attributes": {...}}
//          plus chaosrun's optional "duration" (ms): the toxic removes itself when it expires,
//          and "seed": the toxic's own generator (docs/proxy-api.md, extensions).
//   chaosrun's UDP proxies add "protocol": "udp" and "idle_timeout" (ms) to the proxy.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::proxy {

// "upstream": bytes from the client towards the upstream server; "downstream": the reverse.
enum class Stream { kUpstream, kDownstream };

struct ToxicSpec {
  std::string name;  // empty on input -> "<type>_<stream>" (Toxiproxy's default)
  std::string type;  // latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data,
                     // noop; corrupt, json_rewrite (chaosrun extensions)
  Stream stream = Stream::kDownstream;
  double toxicity = 1.0;             // probability in [0, 1] that a connection gets this toxic
  Json attributes = Json::object();  // the type's attributes, Toxiproxy names (toxic_params.h)
  std::optional<std::chrono::milliseconds> duration;  // chaosrun extension: auto-expiry
  // chaosrun extension: this toxic's own random generator (toxicity rolls, jitter, corrupt,
  // a UDP proxy's per-datagram rolls), so its pattern is reproducible whatever else the engine
  // does; absent: the engine's generator (Options::seed).
  std::optional<uint64_t> seed;
};

// TCP (Toxiproxy's only kind) or UDP (chaosrun extension: a datagram relay, udp_relay.h).
enum class Protocol { kTcp, kUdp };

struct ProxySpec {
  std::string name;
  std::string listen;    // "HOST:PORT"; port 0 picks a free port (the info reports the real one)
  std::string upstream;  // "HOST:PORT"; resolved at each new connection
  bool enabled = true;   // false: the listener is closed and existing connections are cut
  Protocol protocol = Protocol::kTcp;
  // UDP: a client address's mapping (its upstream socket) is dropped after this long without a
  // datagram either way. Resolved: a UDP proxy resolves its upstream when it starts.
  std::chrono::milliseconds idle_timeout{60000};
};

struct ProxyStats {
  uint64_t connections_total = 0;    // accepted since creation
  uint64_t connections_active = 0;   // currently open
  uint64_t connections_refused = 0;  // upstream unreachable or proxy disabled while accepting
  uint64_t bytes_upstream = 0;       // client -> upstream, bytes written to the upstream
  uint64_t bytes_downstream = 0;     // upstream -> client, bytes written to the client
  uint64_t toxics_active = 0;
  // UDP proxies (connections_* count client mappings): datagrams relayed and dropped by a
  // toxic (timeout, limit_data, drop), per direction; [0] upstream, [1] downstream.
  uint64_t datagrams[2] = {0, 0};
  uint64_t datagrams_dropped[2] = {0, 0};
  // json_rewrite toxics (both directions): HTTP messages whose JSON body was re-sent rewritten,
  // JSON bodies that passed unchanged (unparseable, nothing to change), and JSON bodies over
  // max_body_bytes that were streamed unchanged.
  uint64_t json_rewritten = 0;
  uint64_t json_unchanged = 0;
  uint64_t json_oversize = 0;
};

// Parsing and printing of the JSON shapes; errors name the field ("attributes.latency: ...").
Result<ToxicSpec> ToxicFromJson(const Json& j);
Json ToxicToJson(const ToxicSpec& t);
Result<ProxySpec> ProxyFromJson(const Json& j);
const char* StreamName(Stream s);
const char* ProtocolName(Protocol p);
// Toxic types a UDP proxy can apply per datagram: latency, bandwidth, timeout (datagrams
// vanish), limit_data, corrupt, noop.
bool AppliesToUdp(const std::string& toxic_type);

class Engine {
 public:
  struct Options {
    int threads = 1;  // event-loop threads for the data path
    // Upper bound of bytes buffered inside the proxy per connection and direction (toxics that
    // hold data, such as latency, stop reading from the source when it is reached). It is the
    // bandwidth-delay product: under a latency L a connection carries at most this / L (32 MiB
    // under 100 ms: ~335 MB/s). Idle connections hold nothing.
    size_t max_buffer_bytes = 32 << 20;
    size_t read_chunk_bytes = 64 * 1024;
    uint64_t seed = 0;  // random generator seed for toxicity, jitter, slicer; 0 = random
    // When above zero, an event loop that runs out of work polls for this long before it
    // sleeps: an answer that comes back meanwhile is relayed without a wake-up (lower latency,
    // more CPU); 0 = off. With busy_poll_when_cpu_spare, only while no task on the machine is
    // waiting for a CPU (busy_poll.h, from the kernel's CPU pressure); otherwise always, like
    // haproxy's busy-polling but bounded.
    std::chrono::nanoseconds busy_poll{std::chrono::microseconds(50)};
    bool busy_poll_when_cpu_spare = true;
  };

  explicit Engine(Options options);
  Engine();
  ~Engine();  // stops the loops and closes every connection
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Proxies. Create binds synchronously, so a port conflict is reported here. Errors:
  // kInvalidArgument (bad spec, message names the field), kAlreadyExists (name taken),
  // kNotFound (no such proxy/toxic), kIoError (bind/listen failed).
  Result<Json> CreateProxy(const ProxySpec& spec);
  // Changes listen/upstream/enabled. Fields absent from `patch` keep their value.
  Result<Json> UpdateProxy(const std::string& name, const Json& patch);
  Status DeleteProxy(const std::string& name);
  Result<Json> GetProxy(const std::string& name) const;
  Json ListProxies() const;  // {"name": proxy, ...}

  // Toxics. Changes apply to open connections without losing, duplicating or reordering bytes.
  Result<Json> AddToxic(const std::string& proxy, const ToxicSpec& toxic);
  // Updates attributes (merged), toxicity and duration of an existing toxic.
  Result<Json> UpdateToxic(const std::string& proxy, const std::string& toxic, const Json& patch);
  Status RemoveToxic(const std::string& proxy, const std::string& toxic);
  Result<Json> ListToxics(const std::string& proxy) const;
  Result<Json> GetToxic(const std::string& proxy, const std::string& toxic) const;

  // Toxiproxy's /reset: every proxy enabled, every toxic removed.
  void Reset();

  Result<ProxyStats> Stats(const std::string& proxy) const;
  // Prometheus text exposition of every proxy's counters (chaosrun_proxy_* metrics).
  std::string PrometheusText() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chaosrun::proxy
