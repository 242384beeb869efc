// The API on the wire: cpp-httplib's server, configured so that no client can hold it (bounded
// header and body sizes, read/write timeouts, one request per connection, a thread pool), with
// every request handed to the pure router (router.h).
#include "api/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "api/router.h"
#include "api/task_queue.h"
#include "proxy_api/route_util.h"

namespace chaosrun::api {

namespace {

// How long a client may take to send each part of its request, and to take the response.
constexpr time_t kIoTimeoutSeconds = 5;
// Accepted connections that may wait for a pool thread, per thread (task_queue.h).
constexpr size_t kWaitingPerThread = 16;

ApiRequest FromHttplib(const httplib::Request& req) {
  ApiRequest r;
  r.method = req.method;
  r.target = req.target;
  r.body = req.body;
  auto ct = req.headers.find("Content-Type");
  r.has_content_type = ct != req.headers.end();
  if (r.has_content_type) r.content_type = ct->second;
  size_t auth_count = req.headers.count("Authorization");
  r.has_authorization = auth_count > 0;
  r.authorization_repeated = auth_count > 1;
  if (r.has_authorization) r.authorization = req.headers.find("Authorization")->second;
  r.user_agent = req.get_header_value("User-Agent");
  return r;
}

void ToHttplib(const ApiResponse& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [name, value] : in.headers) out.set_header(name, value);
  out.set_header("Cache-Control", "no-store");
  if (in.content_type.empty()) {
    out.body.clear();
  } else {
    out.set_content(in.body, in.content_type.c_str());
  }
}

// A Content-Length other than 0, or a Transfer-Encoding.
bool HasBody(const httplib::Request& req) {
  if (req.has_header("Transfer-Encoding")) return true;
  if (!req.has_header("Content-Length")) return false;
  return req.get_header_value("Content-Length") != "0";
}

// The methods whose body cpp-httplib reads before the handler runs.
bool ReadsBody(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// Why cpp-httplib refused a request on its own (before the router saw it).
std::string LibraryRefusal(int status) {
  switch (status) {
    case 400:
      return "malformed request (request line or headers)";
    case 413:
      return "request body larger than the limit";
    case 414:
      return "request target too long";
    case 416:
      return "bad Range header";
    default:
      return "refused (HTTP " + std::to_string(status) + ")";
  }
}

bool IsIpv6Literal(const std::string& host) { return host.find(':') != std::string::npos; }

}  // namespace

std::string Endpoint::Url() const {
  std::string h = IsIpv6Literal(host) ? "[" + host + "]" : host;
  return "http://" + h + ":" + std::to_string(port);
}

struct Server::Impl {
  daemon::Control& control;
  ServerOptions options;
  RouterOptions router;
  httplib::Server http;
  std::thread thread;
  std::atomic<bool> exited{false};
  bool started = false;

  Impl(daemon::Control& c, ServerOptions o) : control(c), options(std::move(o)) {
    router.token = options.token;
    router.proxy_allow_remote = options.proxy_allow_remote;
  }

  void Configure() {
    int threads = options.threads;
    http.new_task_queue = [threads] {
      return new BoundedTaskQueue(static_cast<size_t>(threads),
                                  static_cast<size_t>(threads) * kWaitingPerThread);
    };
    http.set_read_timeout(kIoTimeoutSeconds, 0);
    http.set_write_timeout(kIoTimeoutSeconds, 0);
    // One request per connection: an idle keep-alive client never holds a pool thread, and a
    // request refused before its body was read leaves nothing behind on the connection.
    http.set_keep_alive_max_count(1);
    http.set_payload_max_length(options.max_body_bytes);
    // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would let a second
    // daemon (or anyone of the same user) bind the same port and take part of the requests.
    http.set_socket_options([](int sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      ApiRequest request = FromHttplib(req);
      if (auto refusal = Preflight(router, request)) {
        ToHttplib(*refusal, res);  // before the body is read: a refused client sends it for nothing
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.has_header("Transfer-Encoding")) {
        // cpp-httplib 0.11 reads a chunked body without set_payload_max_length's bound: refuse
        // every transfer coding before any of the body is read.
        ToHttplib(ErrorResponse(411,
                                "Transfer-Encoding is not accepted: send the body with a "
                                "Content-Length"),
                  res);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!HasBody(req)) {
        // cpp-httplib would wait for the body of a POST, PUT, PATCH or DELETE without a
        // Content-Length until the read timeout; HTTP says such a request has none.
        ToHttplib(Handle(control, router, request), res);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!ReadsBody(req.method)) {
        // cpp-httplib never reads the body of a GET: refuse it rather than ignore it.
        ToHttplib(ErrorResponse(400, "a " + req.method + " request takes no request body"), res);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;  // read the body (or 413), then route
    });
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      ToHttplib(Handle(control, router, FromHttplib(req)), res);
    };
    http.Get(".*", handle);
    http.Post(".*", handle);
    http.Put(".*", handle);
    http.Patch(".*", handle);
    http.Delete(".*", handle);
    http.Options(".*", handle);
    // cpp-httplib's own refusals (400 unparsable request, 413 body too large, 414 URI too long,
    // 431-like header overflows reported as 400) get the API's JSON error shape.
    http.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          ToHttplib(ErrorResponse(res.status, LibraryRefusal(res.status)), res);
          return httplib::Server::HandlerResponse::Handled;
        }));
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          ToHttplib(ErrorResponse(500, "internal error"), res);
        });
  }
};

Server::Server(daemon::Control& control, ServerOptions options)
    : impl_(std::make_unique<Impl>(control, std::move(options))) {}

Server::~Server() { Stop(); }

Result<Endpoint> Server::Start() {
  Impl& s = *impl_;
  if (s.started) return Err(Status::FailedPrecondition("the API server is already started"));
  const ServerOptions& o = s.options;
  if (o.token.size() < kMinTokenBytes) {
    return Err(Status::InvalidArgument("token: shorter than " + std::to_string(kMinTokenBytes) +
                                       " bytes (the API refuses to run without a real token)"));
  }
  if (o.threads < 1 || o.threads > 64) {
    return Err(Status::InvalidArgument("threads: must be from 1 to 64"));
  }
  if (o.max_body_bytes == 0) return Err(Status::InvalidArgument("max_body_bytes: must be > 0"));
  std::string host = o.host == "localhost" ? "127.0.0.1" : o.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!o.allow_remote && !proxy_api::IsLoopbackHost(host)) {
    return Err(Status::InvalidArgument("listen address " + o.host +
                                       " is not loopback: the API listens on loopback only "
                                       "unless remote access is allowed"));
  }
  s.Configure();
  int port = o.port;
  if (port == 0) {
    port = s.http.bind_to_any_port(host);
  } else if (!s.http.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Err(Status::IoError("cannot listen on " + Endpoint{host, o.port}.Url() +
                               " (address in use, or not an address of this host)"));
  }
  s.started = true;
  s.exited = false;
  s.thread = std::thread([&s] {
    s.http.listen_after_bind();
    s.exited = true;
  });
  // stop() has an effect only once the server runs: wait until listen_after_bind() has marked
  // it running (its first statement) or has returned.
  while (!s.http.is_running() && !s.exited) std::this_thread::yield();
  return Endpoint{host, static_cast<uint16_t>(port)};
}

void Server::Stop() {
  Impl& s = *impl_;
  if (!s.started) return;
  s.started = false;
  s.http.stop();  // then listen_after_bind() waits for the handlers in flight
  if (s.thread.joinable()) s.thread.join();
}

}  // namespace chaosrun::api
