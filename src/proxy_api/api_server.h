// The HTTP/1.1 server of the Toxiproxy-compatible API (Boost.Beast), embeddable: `chaosrun proxy
// serve` hosts it today, the daemon will later. It owns one io_context and one thread, separate
// from the engine's data-path loops, so API calls stay fast while the proxy carries heavy
// traffic; every request is answered by router.h's Route().
//
// Robustness: keep-alive; a request must arrive completely within `read_timeout` and a kept-alive
// connection may idle for `idle_timeout`, after which it is closed; a body over `max_body_bytes`
// gets 413 and a malformed request 400 (JSON bodies, connection closed); at most
// `max_connections` clients at once (more are closed on accept). A slow or broken client only
// ever holds its own connection.
//
// Security: the API is unauthenticated. The server binds where it is told; refusing non-loopback
// addresses is the caller's policy (`proxy serve` does, unless --allow-remote).
//
// Thread-safety: Start() and Stop() from one controlling thread; the engine must outlive the
// server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "proxy/engine.h"

namespace chaosrun::proxy_api {

class ApiServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";  // an IP address or "localhost"
    uint16_t port = 8474;            // 0 picks a free port (Start() reports it)
    size_t max_body_bytes = 1 << 20;
    size_t max_header_bytes = 64 * 1024;
    std::chrono::milliseconds read_timeout{15000};   // Toxiproxy's ReadTimeout
    std::chrono::milliseconds idle_timeout{60000};   // Toxiproxy's IdleTimeout
    std::chrono::milliseconds write_timeout{30000};  // Toxiproxy's WriteTimeout
    size_t max_connections = 1024;
    // Proxies created or moved through the API may listen on non-loopback addresses
    // (`proxy serve --allow-remote`); by default such a request is a 400 (router.h).
    bool allow_remote = false;
  };

  struct Endpoint {
    std::string host;  // numeric, as bound ("127.0.0.1", "::1")
    uint16_t port = 0;
    std::string Url() const;  // "http://127.0.0.1:8474", IPv6 in brackets
  };

  ApiServer(proxy::Engine& engine, Options options);
  ~ApiServer();  // Stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds, listens and starts the server thread. kInvalidArgument for a host that is not an IP
  // address or "localhost", kIoError when the address cannot be bound.
  Result<Endpoint> Start();
  // Closes the listener and every connection, and joins the thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chaosrun::proxy_api
