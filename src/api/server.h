// chaosrund's HTTP API on cpp-httplib: the routes of docs/daemon.md ("API"), authenticated with a
// bearer token, every effect through daemon::Control (src/daemon/control.h). The routing itself
// is a pure function (router.h); this class puts it on a loopback socket with bounded sizes,
// timeouts and a thread pool.
//
// Ownership: the Server holds a reference to the Control, which must outlive it (Stop() or the
// destructor returns only once no handler runs any more).
// Thread-safety: Start() and Stop() from one thread (the daemon's); handlers run on the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/token_file.h"  // kMinTokenBytes
#include "common/status.h"
#include "daemon/control.h"

namespace chaosrun::api {

struct ServerOptions {
  std::string host = "127.0.0.1";   // an IP address or "localhost"
  uint16_t port = 8475;             // 0 picks a free port (Start() returns it)
  std::string token;                // required: Start() refuses an empty or short token
  size_t max_body_bytes = 1 << 20;  // larger bodies get 413
  int threads = 4;                  // handler threads (1..64)
  bool allow_remote = false;        // false: Start() refuses a host that is not loopback
  // Appended: passed to proxy_api::Route for the routes under /toxiproxy/ (false: proxies
  // created through the API listen on loopback only).
  bool proxy_allow_remote = false;
};

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string Url() const;  // "http://127.0.0.1:8475" ("http://[::1]:8475" for IPv6)
};

class Server {
 public:
  Server(daemon::Control& control, ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on a thread of its own. kInvalidArgument for bad options (a
  // non-loopback host without allow_remote, a token shorter than kMinTokenBytes, threads out of
  // range), kIoError when the address cannot be bound, kFailedPrecondition when already started.
  Result<Endpoint> Start();
  // Stops accepting, waits for the handlers in flight, joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The token: the file's first line, trimmed; refused (kInvalidArgument naming the reason) when
// the file is not a regular file owned by the effective user with no group/other permission
// bits, or when the token is empty or shorter than kMinTokenBytes. kNotFound / kIoError when it
// cannot be opened or read.
Result<std::string> LoadTokenFile(const std::string& path);

}  // namespace chaosrun::api
