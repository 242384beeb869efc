// A proxy's listening socket. Bound synchronously by the control thread (so a port conflict is
// reported by CreateProxy), then registered with its loop, which accepts and hands each client
// socket to a new Connection on the next data-plane loop. Close() may be called from any thread:
// it and the accepting handler are serialised by `mu_`, so a control call closes the port at
// once without waiting for the (possibly busy) loop.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "proxy/address.h"
#include "proxy/loop.h"
#include "proxy/proxy_state.h"

namespace chaosrun::proxy {

class Listener final : public Pollable, public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens (any thread, before Start). kIoError names the address.
  static Result<std::shared_ptr<Listener>> Open(Loop& loop, const HostPort& address);
  uint16_t port() const { return bound_.port; }
  // The numeric address bound ("127.0.0.1" for "localhost"), as Toxiproxy reports `listen`.
  const std::string& host() const { return bound_.host; }
  // Starts accepting on the loop.
  void Start(std::weak_ptr<ProxyState> proxy, DataPlane& plane);
  // Closes the socket (any thread); the port is free when it returns. Idempotent.
  void Close();
  void OnReady(uint32_t events) override;

  explicit Listener(Loop& loop) : loop_(loop), retry_(loop) {}
  ~Listener();

 private:
  void Accepted(int fd);

  Loop& loop_;
  int fd_ = -1;
  Timer retry_;  // loop thread only
  std::weak_ptr<ProxyState> proxy_;
  DataPlane* plane_ = nullptr;
  HostPort bound_;
  std::mutex mu_;  // guards fd_ and closed_ after Start
  bool closed_ = false;
};

}  // namespace chaosrun::proxy
