// bench/daemon/load: a sequential HTTP/1.1 GET client. Sends N requests to 127.0.0.1:PORT PATH
// one after the other (with `Authorization: Bearer TOKEN` when given), reuses the connection when
// the server keeps it open and reconnects when it answers `Connection: close` (chaosrund does, for
// every request; the connect is then part of each request's latency, as for any client). Each
// latency is CLOCK_MONOTONIC from before the connect (or the send, on a kept connection) to the
// last byte of the body. Prints "requests/s p50 p99 max" (ms) and exits 1 on any non-2xx answer.
//
//   load PORT PATH N [TOKEN]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static double NowMs() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Reads one response; returns its status (0 on error) and whether the server closes.
static int ReadResponse(int fd, bool* closes) {
  std::string buf;
  char chunk[16384];
  size_t header_end = std::string::npos;
  while (header_end == std::string::npos) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<size_t>(n));
    header_end = buf.find("\r\n\r\n");
  }
  std::string head = buf.substr(0, header_end);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const int status = std::atoi(head.c_str() + 9);
  *closes = head.find("\r\nconnection: close") != std::string::npos;
  const size_t cl = head.find("\r\ncontent-length:");
  size_t have = buf.size() - header_end - 4;
  if (cl == std::string::npos) {  // read to EOF
    while (read(fd, chunk, sizeof chunk) > 0) {
    }
    *closes = true;
    return status;
  }
  const size_t want = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
  while (have < want) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return 0;
    have += static_cast<size_t>(n);
  }
  return status;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: load PORT PATH N [TOKEN]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int n = std::atoi(argv[3]);
  std::string req = std::string("GET ") + argv[2] + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (argc > 4) req += std::string("Authorization: Bearer ") + argv[4] + "\r\n";
  req += "\r\n";
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(n));
  int fd = -1;
  const double start = NowMs();
  for (int i = 0; i < n; ++i) {
    const double t0 = NowMs();
    if (fd < 0 && (fd = Connect(port)) < 0) {
      std::fprintf(stderr, "load: connect failed\n");
      return 1;
    }
    if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return 1;
    bool closes = false;
    const int status = ReadResponse(fd, &closes);
    ms.push_back(NowMs() - t0);
    if (status < 200 || status > 299) {
      std::fprintf(stderr, "load: request %d got status %d\n", i, status);
      return 1;
    }
    if (closes) {
      close(fd);
      fd = -1;
    }
  }
  const double total = NowMs() - start;
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    size_t i = static_cast<size_t>(p * ms.size() + 0.999999);
    if (i < 1) i = 1;
    return ms[std::min(i, ms.size()) - 1];
  };
  std::printf("%.0f %.3f %.3f %.3f\n", n / (total / 1e3), pct(0.5), pct(0.99), ms.back());
  return 0;
}
