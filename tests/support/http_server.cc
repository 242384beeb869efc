#include "support/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace chaosrun::testing {

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Waits until `fd` is readable or the server stops; false when stopping.
bool WaitReadable(int fd, int stop_fd) {
  pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    const int r = ::poll(fds, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (fds[1].revents != 0) return false;
    return true;
  }
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// Parses the head (everything before the blank line) into `rq`; false if malformed.
bool ParseHead(std::string_view head, TestRequest* rq) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  rq->method = std::string(line.substr(0, sp1));
  rq->target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  const size_t q = rq->target.find('?');
  rq->path = rq->target.substr(0, q);
  rq->query = q == std::string::npos ? "" : rq->target.substr(q + 1);
  while (eol != std::string_view::npos) {
    const size_t start = eol + 2;
    eol = head.find("\r\n", start);
    line = head.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    rq->headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                             std::string(Trim(line.substr(colon + 1))));
  }
  return true;
}

}  // namespace

std::optional<std::string> TestRequest::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (IEquals(n, name)) return v;
  }
  return std::nullopt;
}

void Gate::Open() {
  {
    std::lock_guard lock(mu_);
    open_ = true;
  }
  cv_.notify_all();
}

void Gate::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return open_; });
}

bool Gate::is_open() const {
  std::lock_guard lock(mu_);
  return open_;
}

HttpServer::HttpServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || stop_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("test HttpServer: cannot listen on 127.0.0.1");
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpServer::~HttpServer() {
  Stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void HttpServer::Handle(const std::string& method, const std::string& path, Handler handler) {
  std::lock_guard lock(mu_);
  handlers_[{method, path}] = std::move(handler);
}

std::string HttpServer::Url(std::string_view path_and_query) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path_and_query);
}

void HttpServer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
}

Handler HttpServer::Find(const std::string& method, const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = handlers_.find({method, path});
  if (it == handlers_.end()) it = handlers_.find({"*", path});
  return it == handlers_.end() ? Handler() : it->second;
}

void HttpServer::AcceptLoop() {
  while (WaitReadable(listen_fd_, stop_fd_)) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] {
      Serve(fd);
      ::close(fd);
    });
  }
}

void HttpServer::Serve(int fd) {
  std::string data;
  size_t head_end = std::string::npos;
  char buf[16384];
  const auto read_more = [&] {
    if (!WaitReadable(fd, stop_fd_)) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    return true;
  };
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
    if (!read_more()) return;
  }
  TestRequest rq;
  if (!ParseHead(std::string_view(data).substr(0, head_end), &rq)) return;
  size_t length = 0;
  if (auto cl = rq.Header("Content-Length")) length = std::strtoul(cl->c_str(), nullptr, 10);
  const size_t body_start = head_end + 4;
  while (data.size() - body_start < length) {
    if (!read_more()) return;
  }
  rq.body = data.substr(body_start, length);
  ++requests_;

  Handler handler = Find(rq.method, rq.path);
  TestResponse resp = handler ? handler(rq) : TestResponse{404, {}, "not found", {}};
  std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " + Reason(resp.status) + "\r\n";
  for (const auto& [n, v] : resp.headers) head += n + ": " + v + "\r\n";
  head += "Content-Length: " + std::to_string(resp.body.size()) + "\r\nConnection: close\r\n\r\n";
  if (!SendAll(fd, head)) return;
  if (resp.after_headers) resp.after_headers();
  if (rq.method != "HEAD") SendAll(fd, resp.body);
  ::shutdown(fd, SHUT_WR);
}

int ClosedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("ClosedLoopbackPort");
    std::abort();
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

}  // namespace chaosrun::testing
