#include "proxy/listener.h"

#include <boost/asio/post.hpp>

#include "common/log.h"
#include "proxy/connection.h"

namespace chaosrun::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

Listener::Listener(asio::io_context& context) : acceptor_(context), retry_(context) {}

Result<std::shared_ptr<Listener>> Listener::Open(asio::io_context& context,
                                                 const HostPort& address) {
  auto listener = std::make_shared<Listener>(context);
  std::string where = FormatHostPort(address.host, address.port);
  error_code ec;
  tcp::endpoint endpoint;
  auto ip = asio::ip::make_address(address.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(ip, address.port);
  } else {
    tcp::resolver resolver(context);
    auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      return Err(Status::IoError("listen: cannot resolve " + where + ": " + ec.message()));
    }
    endpoint = results.begin()->endpoint();
  }
  tcp::acceptor& a = listener->acceptor_;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) listener->port_ = a.local_endpoint(ec).port();
  if (ec) return Err(Status::IoError("listen: cannot listen on " + where + ": " + ec.message()));
  return listener;
}

void Listener::Start(std::weak_ptr<ProxyState> proxy, DataPlane& plane) {
  proxy_ = std::move(proxy);
  plane_ = &plane;
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->Accept(); });
}

void Listener::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  error_code ec;
  retry_.cancel();
  acceptor_.close(ec);
}

void Listener::Accept() {
  std::lock_guard lock(mu_);
  AcceptLocked();
}

void Listener::AcceptLocked() {
  if (closed_) return;
  asio::io_context& target = plane_->NextContext();
  acceptor_.async_accept(
      asio::any_io_executor(target.get_executor()),
      [self = shared_from_this(), &target](const error_code& ec, tcp::socket socket) {
        {
          std::lock_guard lock(self->mu_);
          if (self->closed_ || ec == asio::error::operation_aborted) return;
          if (ec) {
            // Out of descriptors or similar: try again shortly instead of spinning.
            log::Warn("proxy: accept failed: {}", ec.message());
            self->retry_.expires_after(std::chrono::milliseconds(50));
            self->retry_.async_wait([self](const error_code& wec) {
              if (!wec) self->Accept();
            });
            return;
          }
        }
        auto proxy = self->proxy_.lock();
        if (proxy) {
          proxy->counters.connections_total.fetch_add(1, std::memory_order_relaxed);
          error_code oec;
          socket.set_option(tcp::no_delay(true), oec);
          uint64_t id = self->plane_->NextConnectionId();
          auto conn =
              std::make_shared<Connection>(target, std::move(socket), proxy, *self->plane_, id);
          // Registered only while this listener is still the proxy's: a disable or delete
          // clears `listener` under the same lock before it cuts the registered connections,
          // so a connection accepted meanwhile is either cut by it or closed here.
          std::string upstream;
          bool live = false;
          {
            std::lock_guard lock(proxy->mu);
            live = proxy->listener.get() == self.get();
            if (live) {
              upstream = proxy->spec.upstream;
              proxy->connections.emplace(id, ConnectionRef{conn, &target});
            }
          }
          if (live) {
            asio::post(target, [conn, upstream] { conn->Start(upstream); });
          } else {
            asio::post(target, [conn] { conn->Cut(); });
          }
        }
        self->Accept();
      });
}

}  // namespace chaosrun::proxy
