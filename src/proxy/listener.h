// A proxy's listening socket. Bound synchronously by the control thread (so a port conflict is
// reported by CreateProxy), then accepts on its io_context and hands each client socket to a
// new Connection on the next data-plane loop. Close() may be called from any thread: it and the
// accept loop's use of the acceptor are serialised by `mu_`, so a control call closes the port
// at once without waiting for the (possibly busy) loop.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <utility>  // before Boost (GCC 12 / C++23)

#include "common/status.h"
#include "proxy/address.h"
#include "proxy/proxy_state.h"

namespace chaosrun::proxy {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens (any thread, before Start). kIoError names the address.
  static Result<std::shared_ptr<Listener>> Open(boost::asio::io_context& context,
                                                const HostPort& address);
  uint16_t port() const { return port_; }
  // Starts accepting; posts itself to the listener's loop.
  void Start(std::weak_ptr<ProxyState> proxy, DataPlane& plane);
  // Closes the socket (any thread); the port is free when it returns. Idempotent.
  void Close();

  explicit Listener(boost::asio::io_context& context);

 private:
  void Accept();
  void AcceptLocked();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  std::weak_ptr<ProxyState> proxy_;
  DataPlane* plane_ = nullptr;
  uint16_t port_ = 0;
  std::mutex mu_;  // guards acceptor_, retry_ and closed_ after Start
  bool closed_ = false;
};

}  // namespace chaosrun::proxy
