// A small loopback HTTP/1.1 server for tests: binds 127.0.0.1 on an ephemeral port, serves each
// connection on its own thread (one request per connection, "Connection: close"), dispatches
// to handlers the test registers, and stops cleanly (Stop() or the destructor joins every
// thread). Handlers run on server threads; a handler that blocks (on a Gate) must be released
// by the test before the server is destroyed.
//
// It is deliberately dependency-free (no cpp-httplib: Debian ships it as a compiled library) and
// understands only what tests need: request line, headers, a Content-Length body.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace chaosrun::testing {

struct TestRequest {
  std::string method;
  std::string target;  // as sent: path plus "?query"
  std::string path;
  std::string query;                                         // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
  std::string body;
  // Case-insensitive; the first occurrence.
  std::optional<std::string> Header(std::string_view name) const;
};

struct TestResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given (no Content-Length)
  std::string body;
  // If set, called after the status line and headers (with Content-Length) are sent and before
  // the body, e.g. to stall mid-response.
  std::function<void()> after_headers;
};

using Handler = std::function<TestResponse(const TestRequest&)>;

// A one-shot latch: Wait() blocks until Open(). For handlers that must stall until the test says.
class Gate {
 public:
  void Open();
  void Wait();
  bool is_open() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class HttpServer {
 public:
  HttpServer();  // listening when constructed; aborts the test binary if it cannot bind
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `method` "*" matches any method. Unmatched requests get 404 "not found".
  void Handle(const std::string& method, const std::string& path, Handler handler);
  int port() const { return port_; }
  std::string Url(std::string_view path_and_query = "/") const;
  // Number of requests whose head was read completely.
  int request_count() const { return requests_.load(); }
  // Number of accepted connections.
  int connection_count() const { return connections_.load(); }
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);
  Handler Find(const std::string& method, const std::string& path);

  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd, readable once stopping
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Handler> handlers_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
  bool stopped_ = false;
};

// A loopback port that was free a moment ago: bound, then closed (for "connection refused").
int ClosedLoopbackPort();

}  // namespace chaosrun::testing
