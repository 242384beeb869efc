#include "network/http_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "network/tcp.h"

namespace chaosrun::drivers::network {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Decodes a chunked body; false while incomplete (or malformed).
bool Dechunk(const std::string& in, std::string* out) {
  size_t pos = 0;
  std::string body;
  for (;;) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return false;
    std::string size_text = in.substr(pos, eol - pos);
    size_text = size_text.substr(0, size_text.find(';'));
    size_t size = 0;
    if (size_text.empty() || size_text.size() > 8) return false;
    for (char c : size_text) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
      size = size * 16 + static_cast<size_t>(std::isdigit(static_cast<unsigned char>(c))
                                                 ? c - '0'
                                                 : std::tolower(c) - 'a' + 10);
    }
    pos = eol + 2;
    if (size == 0) {
      *out = std::move(body);
      return true;  // trailers, if any, are ignored
    }
    if (in.size() < pos + size + 2) return false;
    body.append(in, pos, size);
    pos += size + 2;
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

bool ParseHttpResponse(const std::string& raw, bool connection_closed, HttpResponse* out) {
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  std::string head = raw.substr(0, head_end);
  size_t eol = head.find("\r\n");
  std::string status_line = head.substr(0, eol);
  if (status_line.compare(0, 7, "HTTP/1.") != 0 || status_line.size() < 12 ||
      status_line[8] != ' ') {
    return false;
  }
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(status_line[i]))) return false;
    status = status * 10 + (status_line[i] - '0');
  }
  long long content_length = -1;
  bool chunked = false;
  size_t pos = eol == std::string::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    std::string line = head.substr(pos, next - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = Lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      if (name == "content-length") {
        content_length = 0;
        for (char c : value) {
          if (!std::isdigit(static_cast<unsigned char>(c))) break;
          content_length = content_length * 10 + (c - '0');
          if (content_length > (1LL << 40)) return false;
        }
      } else if (name == "transfer-encoding" && Lower(value).find("chunked") != std::string::npos) {
        chunked = true;
      }
    }
    pos = next + 2;
  }
  std::string rest = raw.substr(head_end + 4);
  out->status = status;
  if (status == 204 || status == 304 || status / 100 == 1) {
    out->body.clear();
  } else if (chunked) {
    if (!Dechunk(rest, &out->body)) return false;
  } else if (content_length >= 0) {
    if (rest.size() < static_cast<size_t>(content_length)) return false;
    out->body = rest.substr(0, static_cast<size_t>(content_length));
  } else {
    if (!connection_closed) return false;
    out->body = rest;
  }
  out->ok = true;
  return true;
}

HttpResponse HttpRequest(const Url& url, const std::string& method, const std::string& path,
                         const std::string& body, const HttpOptions& options) {
  HttpResponse resp;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  int raw_fd = -1;
  resp.error = TcpConnect(url.host, url.port, deadline, options.cancelled, &raw_fd);
  if (!resp.error.empty()) return resp;
  Fd fd(raw_fd);
  std::string req = method + " " + url.base + path + " HTTP/1.1\r\nHost: " + url.HostPort() +
                    "\r\nUser-Agent: chaosrun-network-driver\r\nAccept: application/json\r\n"
                    "Connection: close\r\n";
  if (!options.bearer_token.empty())
    req += "Authorization: Bearer " + options.bearer_token + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = ::send(fd.get(), req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (std::string w = WaitFd(fd.get(), POLLOUT, deadline, options.cancelled); !w.empty()) {
        resp.error = "sending to " + url.HostPort() + ": " + w;
        return resp;
      }
      continue;
    }
    resp.error = "sending to " + url.HostPort() + ": " + std::strerror(errno);
    return resp;
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    if (ParseHttpResponse(raw, false, &resp)) return resp;
    if (raw.size() > options.max_body + 65536) {
      resp.error = "the response from " + url.HostPort() + " is too large";
      return resp;
    }
    if (std::string w = WaitFd(fd.get(), POLLIN, deadline, options.cancelled); !w.empty()) {
      resp.error = "waiting for " + url.HostPort() + ": " + w;
      return resp;
    }
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n > 0) {
      raw.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      if (ParseHttpResponse(raw, true, &resp)) return resp;
      resp.error = raw.empty() ? url.HostPort() + " closed the connection without answering"
                               : "truncated response from " + url.HostPort();
      return resp;
    } else if (errno != EAGAIN && errno != EINTR) {
      resp.error = "reading from " + url.HostPort() + ": " + std::strerror(errno);
      return resp;
    }
  }
}

}  // namespace chaosrun::drivers::network
