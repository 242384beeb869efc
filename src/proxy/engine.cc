// Engine lifecycle and proxy control (toxics: engine_toxics.cc; metrics: metrics.cc).
#include <pthread.h>
#include <sys/prctl.h>

#include <boost/asio/post.hpp>
#include <csignal>
#include <optional>
#include <random>
#include <utility>  // before Boost (GCC 12 / C++23)

#include "common/log.h"
#include "proxy/address.h"
#include "proxy/busy_poll.h"
#include "proxy/connection.h"
#include "proxy/engine_impl.h"
#include "proxy/listener.h"
#include "proxy/toxic_params.h"
#include "proxy/udp_relay.h"

namespace chaosrun::proxy {

Engine::Impl::Impl(Options o) : options(o) {
  int n = std::max(1, options.threads);
  plane.seed = options.seed != 0 ? options.seed : std::random_device{}() * 0x100000001ULL;
  plane.max_buffer_bytes = std::max<size_t>(options.max_buffer_bytes, 1);
  plane.read_chunk_bytes = std::max<size_t>(options.read_chunk_bytes, 1);
  plane.run_blocking = [this](std::function<void()> job) {
    boost::asio::post(lookups, std::move(job));
  };
  for (int i = 0; i < n; ++i) {
    loops.push_back(std::make_unique<Loop>());
    plane.loops.push_back(loops.back().get());
  }
  const std::chrono::nanoseconds spin = options.busy_poll;
  const bool gated = options.busy_poll_when_cpu_spare;
  for (auto& l : loops) {
    threads.emplace_back([loop = l.get(), spin, gated] {
      // Timer slack defaults to 50 µs; release times (latency toxic) want the exact wake-up.
      prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
      // splice(2) into a socket whose peer has gone raises SIGPIPE (it has no MSG_NOSIGNAL),
      // which would kill the process. The signal goes to the writing thread, so blocking it on
      // the loop threads is enough and leaves an embedder's own disposition alone.
      sigset_t pipe_signal;
      sigemptyset(&pipe_signal);
      sigaddset(&pipe_signal, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
      // Gated polling without a gate would be polling always: without one, no polling at all.
      std::optional<SpareCpuGate> gate;
      std::chrono::nanoseconds window = spin;
      if (gated && spin > std::chrono::nanoseconds::zero()) {
        try {
          gate.emplace(SpareCpuGate::SystemSource());
        } catch (const std::exception& e) {
          log::Error("proxy: event loop: no busy polling: {}", e.what());
          window = std::chrono::nanoseconds::zero();
        }
      }
      while (!loop->stopped()) {
        try {
          loop->Run(window, gate ? &*gate : nullptr);
        } catch (const std::exception& e) {
          log::Error("proxy: event loop: {}", e.what());
        } catch (...) {
          log::Error("proxy: event loop: unknown exception");
        }
      }
    });
  }
}

Engine::Impl::~Impl() {
  for (auto& l : loops) l->Stop();
  for (auto& t : threads) t.join();
  // Lookups not started are dropped; one still running posts its result to a stopped loop,
  // which releases it below.
  lookups.stop();
  lookups.join();
  // The loops are stopped: close every connection here (each removes itself from its proxy),
  // including those of deleted proxies whose posted cut never ran.
  for (const auto& [name, p] : proxies) {
    for (const ConnectionRef& ref : p->Connections()) ref.connection->Cut();
  }
  for (const auto& w : retired) {
    if (auto p = w.lock()) {
      for (const ConnectionRef& ref : p->Connections()) ref.connection->Cut();
    }
  }
  {
    std::lock_guard lock(mu);
    for (auto& [name, p] : proxies) {
      std::lock_guard plock(p->mu);
      p->listener.reset();
      p->udp.reset();
      for (ActiveToxic& t : p->toxics) t.expiry.reset();
    }
    proxies.clear();
  }
  // Each loop releases what its queues and timers still hold (connections, listeners).
  loops.clear();
}

std::shared_ptr<ProxyState> Engine::Impl::Find(const std::string& name) const {
  std::lock_guard lock(mu);
  auto it = proxies.find(name);
  return it == proxies.end() ? nullptr : it->second;
}

Json Engine::Impl::ProxyJson(ProxyState& p) const {
  std::lock_guard lock(p.mu);
  Json j = Json::object();
  j["name"] = p.spec.name;
  j["listen"] = p.spec.listen;
  j["upstream"] = p.spec.upstream;
  j["enabled"] = p.spec.enabled;
  if (p.spec.protocol == Protocol::kUdp) {  // absent: TCP, so Toxiproxy clients see no change
    j["protocol"] = ProtocolName(p.spec.protocol);
    j["idle_timeout"] = p.spec.idle_timeout.count();
  }
  Json toxics = Json::array();
  for (const ActiveToxic& t : p.toxics) toxics.push_back(ToxicToJson(t.spec));
  j["toxics"] = std::move(toxics);
  return j;
}

void Engine::Impl::ForEachConnection(ProxyState& p, std::function<void(Connection&)> fn) {
  for (const ConnectionRef& ref : p.Connections()) {
    ref.loop->Post([conn = ref.connection, fn] { fn(*conn); });
  }
}

Status Engine::Impl::StartListener(const std::shared_ptr<ProxyState>& p) {
  ProxySpec spec;
  {
    std::lock_guard lock(p->mu);
    spec = p->spec;
  }
  auto address = ParseHostPort(spec.listen, "listen");
  if (!address) return address.error();
  if (spec.protocol == Protocol::kUdp) return StartUdpRelay(p, spec, *address);
  auto listener = Listener::Open(control_loop(), *address);
  if (!listener) return listener.error();
  {
    std::lock_guard lock(p->mu);
    // The address bound, as Toxiproxy reports it ("localhost:0" -> "127.0.0.1:41234").
    p->spec.listen = FormatHostPort((*listener)->host(), (*listener)->port());
    p->listener = *listener;
  }
  (*listener)->Start(p, plane);
  return Status::Ok();
}

Status Engine::Impl::StartUdpRelay(const std::shared_ptr<ProxyState>& p, const ProxySpec& spec,
                                   const HostPort& listen) {
  auto upstream = ParseHostPort(spec.upstream, "upstream");
  if (!upstream) return upstream.error();
  // Resolved once, here: a datagram's mapping is made on the loop, which must not block.
  auto addresses = ResolveAddresses(upstream->host, upstream->port);
  if (!addresses) return Status::IoError("upstream: " + addresses.error().message());
  UdpRelay::Settings settings;
  settings.upstream = addresses->front();
  settings.idle_timeout = spec.idle_timeout;
  settings.max_queued_bytes = plane.max_buffer_bytes;
  settings.seed = plane.seed;
  auto relay = UdpRelay::Open(plane.NextLoop(), listen, settings);
  if (!relay) return relay.error();
  {
    std::lock_guard lock(p->mu);
    p->spec.listen = FormatHostPort((*relay)->host(), (*relay)->port());
    p->udp = *relay;
  }
  (*relay)->Start(p);
  return Status::Ok();
}

void Engine::Impl::StopListener(ProxyState& p) {
  std::shared_ptr<Listener> listener;
  std::shared_ptr<UdpRelay> relay;
  {
    std::lock_guard lock(p.mu);
    listener = std::move(p.listener);
    relay = std::move(p.udp);
  }
  if (relay) relay->Close();
  // Closed here, on the calling thread (Listener::Close is serialised with the accept loop by
  // the listener's own mutex), so the port is free when this returns and the caller never waits
  // behind data work queued on the loop.
  if (listener) listener->Close();
}

Engine::Engine(Options options) : impl_(std::make_unique<Impl>(options)) {}
Engine::Engine() : Engine(Options{}) {}
Engine::~Engine() = default;

Result<Json> Engine::CreateProxy(const ProxySpec& spec) {
  if (spec.name.empty()) return Err(Status::InvalidArgument("name: required"));
  if (auto a = ParseHostPort(spec.listen, "listen"); !a) return Err(a.error());
  if (auto a = ParseHostPort(spec.upstream, "upstream"); !a) return Err(a.error());
  std::lock_guard control(impl_->control_mu);
  if (impl_->Find(spec.name)) {
    return Err(Status::AlreadyExists("proxy " + spec.name + " already exists"));
  }
  auto state = std::make_shared<ProxyState>(spec);
  if (spec.enabled) {
    if (Status s = impl_->StartListener(state); !s.ok()) return Err(s);
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->proxies.emplace(spec.name, state);
  }
  return impl_->ProxyJson(*state);
}

Result<Json> Engine::UpdateProxy(const std::string& name, const Json& patch) {
  if (!patch.is_object()) return Err(Status::InvalidArgument("proxy: must be a JSON object"));
  if (Status s = CheckNesting(patch, "proxy"); !s.ok()) return Err(s);
  std::optional<std::string> listen, upstream;
  std::optional<bool> enabled;
  for (const char* key : {"listen", "upstream"}) {
    const Json* v = Member(patch, key);
    if (!v || v->is_null()) continue;
    if (!v->is_string())
      return Err(Status::InvalidArgument(std::string(key) + ": must be a string"));
    if (auto a = ParseHostPort(v->get<std::string>(), key); !a) return Err(a.error());
    (std::string(key) == "listen" ? listen : upstream) = v->get<std::string>();
  }
  if (const Json* v = Member(patch, "enabled"); v && !v->is_null()) {
    if (!v->is_boolean()) return Err(Status::InvalidArgument("enabled: must be a boolean"));
    enabled = v->get<bool>();
  }
  std::lock_guard control(impl_->control_mu);
  auto p = impl_->Find(name);
  if (!p) return Err(Status::NotFound("proxy " + name + " not found"));
  ProxySpec old;
  {
    std::lock_guard lock(p->mu);
    old = p->spec;
  }
  bool listen_changed = listen && *listen != old.listen;
  bool upstream_changed = upstream && *upstream != old.upstream;
  bool want = enabled.value_or(old.enabled);
  // Like Toxiproxy, a changed address restarts the proxy (open connections are cut).
  if (old.enabled && (!want || listen_changed || upstream_changed)) {
    impl_->StopListener(*p);
    impl_->ForEachConnection(*p, [](Connection& c) { c.Cut(); });
  }
  {
    std::lock_guard lock(p->mu);
    if (listen) p->spec.listen = *listen;
    if (upstream) p->spec.upstream = *upstream;
    p->spec.enabled = want;
  }
  if (want && (!old.enabled || listen_changed || upstream_changed)) {
    if (Status s = impl_->StartListener(p); !s.ok()) {
      std::lock_guard lock(p->mu);
      p->spec.enabled = false;
      return Err(s);
    }
  }
  return impl_->ProxyJson(*p);
}

Status Engine::DeleteProxy(const std::string& name) {
  std::lock_guard control(impl_->control_mu);
  std::shared_ptr<ProxyState> p;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->proxies.find(name);
    if (it == impl_->proxies.end()) return Status::NotFound("proxy " + name + " not found");
    p = it->second;
    impl_->proxies.erase(it);
    // Its connections are cut by tasks posted below; should the engine stop before the loops
    // run them, the destructor still finds the proxy here (a connection and its proxy refer to
    // each other, so nothing else would ever close those sockets).
    std::erase_if(impl_->retired, [](const auto& w) { return w.expired(); });
    impl_->retired.push_back(p);
  }
  impl_->StopListener(*p);
  {
    std::lock_guard lock(p->mu);
    for (ActiveToxic& t : p->toxics) Impl::CancelExpiry(t);
  }
  impl_->ForEachConnection(*p, [](Connection& c) { c.Cut(); });
  return Status::Ok();
}

Result<Json> Engine::GetProxy(const std::string& name) const {
  auto p = impl_->Find(name);
  if (!p) return Err(Status::NotFound("proxy " + name + " not found"));
  return impl_->ProxyJson(*p);
}

Json Engine::ListProxies() const {
  std::vector<std::shared_ptr<ProxyState>> all;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [name, p] : impl_->proxies) all.push_back(p);
  }
  Json j = Json::object();
  for (const auto& p : all) {
    Json one = impl_->ProxyJson(*p);
    std::string name = one["name"].get<std::string>();
    j[name] = std::move(one);
  }
  return j;
}

void Engine::Reset() {
  std::lock_guard control(impl_->control_mu);
  std::vector<std::shared_ptr<ProxyState>> all;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [name, p] : impl_->proxies) all.push_back(p);
  }
  for (const auto& p : all) {
    bool was_enabled = false;
    {
      std::lock_guard lock(p->mu);
      for (ActiveToxic& t : p->toxics) Impl::CancelExpiry(t);
      p->toxics.clear();
      p->RebuildToxicSetLocked();
      was_enabled = p->spec.enabled;
      p->spec.enabled = true;
    }
    impl_->NotifyToxicsChanged(*p);
    if (!was_enabled) {
      if (Status s = impl_->StartListener(p); !s.ok()) {
        log::Warn("proxy: reset could not re-enable {}: {}", p->spec.name, s.message());
        std::lock_guard lock(p->mu);
        p->spec.enabled = false;
      }
    }
  }
}

Result<ProxyStats> Engine::Stats(const std::string& name) const {
  auto p = impl_->Find(name);
  if (!p) return Err(Status::NotFound("proxy " + name + " not found"));
  ProxyStats s;
  const ProxyCounters& c = p->counters;
  s.connections_total = c.connections_total.load(std::memory_order_relaxed);
  s.connections_active = c.connections_active.load(std::memory_order_relaxed);
  s.connections_refused = c.connections_refused.load(std::memory_order_relaxed);
  s.bytes_upstream = c.bytes[0].load(std::memory_order_relaxed);
  s.bytes_downstream = c.bytes[1].load(std::memory_order_relaxed);
  for (int i = 0; i < 2; ++i) {
    s.datagrams[i] = c.datagrams[i].load(std::memory_order_relaxed);
    s.datagrams_dropped[i] = c.datagrams_dropped[i].load(std::memory_order_relaxed);
  }
  s.json_rewritten = c.json_rewritten.load(std::memory_order_relaxed);
  s.json_unchanged = c.json_unchanged.load(std::memory_order_relaxed);
  s.json_oversize = c.json_oversize.load(std::memory_order_relaxed);
  std::lock_guard lock(p->mu);
  s.toxics_active = p->toxics.size();
  return s;
}

}  // namespace chaosrun::proxy
