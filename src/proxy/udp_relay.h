// A UDP proxy (chaosrun extension): one socket bound to the proxy's listen address; each client
// address that sends to it gets a mapping, a connected socket of its own towards the upstream,
// so that the upstream's replies come back to that client. Datagrams go through the proxy's
// toxics one by one (udp_toxics.h); those held by latency or bandwidth wait in a queue ordered
// by release time. A mapping without traffic for the proxy's idle_timeout is dropped.
//
// Threading: the relay lives on one Loop. Open, Start, RefreshToxics and Close may be called
// from any thread: Close shuts the listening socket under `mu_` (the port is free when it
// returns, as with Listener) and posts the rest; everything else runs on the loop thread.
// Ownership: the proxy's state owns the relay (ProxyState::udp); the relay holds the proxy
// weakly (its toxics and counters), and every queued datagram holds its mapping.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "proxy/address.h"
#include "proxy/loop.h"
#include "proxy/proxy_state.h"
#include "proxy/udp_toxics.h"

namespace chaosrun::proxy {

class UdpRelay final : public Pollable, public std::enable_shared_from_this<UdpRelay> {
 public:
  struct Settings {
    SockAddr upstream;  // resolved when the proxy starts
    std::chrono::milliseconds idle_timeout{60000};
    size_t max_queued_bytes = 1 << 20;  // datagrams held by toxics; beyond it they are dropped
    uint64_t seed = 0;                  // the engine's: toxics without a seed of their own
  };

  // Binds the listening socket (any thread). kIoError names the address.
  static Result<std::shared_ptr<UdpRelay>> Open(Loop& loop, const HostPort& listen,
                                                Settings settings);
  uint16_t port() const { return bound_.port; }
  const std::string& host() const { return bound_.host; }  // numeric, as bound
  // Loads the proxy's toxics and starts relaying (posted to the loop).
  void Start(std::weak_ptr<ProxyState> proxy);
  // Re-reads the proxy's toxic set (posted to the loop).
  void RefreshToxics();
  // Closes the listening socket now and every mapping on the loop. Idempotent.
  void Close();
  void OnReady(uint32_t events) override;  // the listening socket: datagrams from clients

  UdpRelay(Loop& loop, Settings settings)
      : loop_(loop), settings_(settings), release_(loop), idle_(loop) {}
  ~UdpRelay();

 private:
  struct Mapping final : Pollable, std::enable_shared_from_this<Mapping> {
    UdpRelay* relay = nullptr;
    SockAddr client;
    std::string key;  // the client's address bytes
    int fd = -1;      // connected to the upstream
    SteadyTime last_active{};
    void OnReady(uint32_t) override { relay->FromUpstream(*this); }
  };
  struct Held {
    SteadyTime at{};
    uint64_t seq = 0;  // arrival order among equal release times
    int stream = 0;    // 0: to the upstream, 1: to the client
    std::shared_ptr<Mapping> mapping;
    std::string data;
    bool operator>(const Held& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  // Loads the proxy's toxic set when it is not the one in use. Called before each batch of
  // datagrams, so a datagram sent after AddToxic/RemoveToxic returned meets the new set (a
  // posted refresh could run after it: the loop handles ready sockets before posted tasks).
  void LoadToxics();
  std::shared_ptr<Mapping> MappingFor(const SockAddr& from, SteadyTime now);
  void FromUpstream(Mapping& m);
  // Runs one datagram through the toxics of `stream`: dropped, sent now or held.
  void Relay(int stream, const std::shared_ptr<Mapping>& m, char* data, size_t size);
  void Send(int stream, Mapping& m, const char* data, size_t size);
  void Dropped(int stream);
  void ArmRelease();
  void ReleaseDue();
  void ArmIdle();
  void SweepIdle();
  void Unmap(const std::shared_ptr<Mapping>& m);
  void Shutdown();  // loop thread: every mapping closed, the queue emptied

  Loop& loop_;
  Settings settings_;
  std::mutex mu_;  // guards fd_ and closed_ (Close runs on any thread)
  int fd_ = -1;
  bool closed_ = false;
  HostPort bound_;
  // Loop thread only from here on.
  std::weak_ptr<ProxyState> proxy_;
  std::shared_ptr<const ToxicSet> loaded_;  // the set toxics_ were built from
  std::vector<DatagramToxic> toxics_[2];
  std::unordered_map<std::string, std::shared_ptr<Mapping>> mappings_;
  std::vector<Held> held_;  // a min-heap on (at, seq): std::push_heap with std::greater
  size_t held_bytes_ = 0;
  uint64_t next_seq_ = 0;
  Timer release_;
  Timer idle_;
};

}  // namespace chaosrun::proxy
