// Engine::Impl, shared by engine.cc (lifecycle, proxies), engine_toxics.cc and metrics.cc.
// Lock order: control_mu, then Impl::mu, then ProxyState::mu, then Listener's mutex. No control
// call waits for a loop: changes are made under these short locks and posted to the loops.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>  // before Boost (GCC 12 / C++23)
#include <vector>

#include "proxy/address.h"
#include "proxy/engine.h"
#include "proxy/proxy_state.h"

namespace chaosrun::proxy {

struct Engine::Impl {
  explicit Impl(Options o);
  ~Impl();

  Loop& control_loop() { return *loops.front(); }
  std::shared_ptr<ProxyState> Find(const std::string& name) const;
  Json ProxyJson(ProxyState& p) const;
  // Posts fn(connection) to every open connection of `p` on its own loop.
  void ForEachConnection(ProxyState& p, std::function<void(Connection&)> fn);
  // Binds `p`'s listener (p.mu not held by the caller) and starts it.
  Status StartListener(const std::shared_ptr<ProxyState>& p);
  // A UDP proxy's relay in place of a listener (udp_relay.h).
  Status StartUdpRelay(const std::shared_ptr<ProxyState>& p, const ProxySpec& spec,
                       const HostPort& listen);
  void StopListener(ProxyState& p);
  void ArmExpiry(const std::shared_ptr<ProxyState>& p, ActiveToxic& t);
  static void CancelExpiry(ActiveToxic& t);
  void ExpireToxic(const std::string& proxy, uint64_t id, const Timer* timer);
  void NotifyToxicsChanged(ProxyState& p);

  Options options;
  std::vector<std::unique_ptr<Loop>> loops;  // the first also runs listeners and expiry timers
  std::vector<std::thread> threads;
  boost::asio::thread_pool lookups{1};  // upstream name lookups (getaddrinfo blocks)
  DataPlane plane;
  std::mutex control_mu;  // serialises Create/Update/Delete/Reset (listener changes)
  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<ProxyState>> proxies;
  std::vector<std::weak_ptr<ProxyState>> retired;  // deleted proxies (under mu)
  std::atomic<uint64_t> next_toxic_id{0};
};

}  // namespace chaosrun::proxy
