// Blocking loopback sockets for the proxy integration tests: a small threaded TCP server with a
// per-connection handler, and client helpers. Every socket has a receive timeout, so a broken
// proxy fails a test instead of hanging it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chaosrun::testing {

class TcpServer {
 public:
  // `handler(fd)` runs on its own thread per accepted connection; the server closes fd after.
  explicit TcpServer(std::function<void(int)> handler);
  ~TcpServer();
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void Loop();
  std::function<void(int)> handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

// A listening TCP socket on 127.0.0.1 with a free port (stored in `port`); -1 on failure.
int ListenOnLoopback(int backlog, uint16_t& port);

// Handlers.
void EchoHandler(int fd);  // echoes until EOF, then shuts down its sending side

// -1 on failure. `rcvbuf` > 0 sets SO_RCVBUF before connecting (a small window).
int ConnectTo(uint16_t port, int recv_timeout_ms = 5000, int rcvbuf = 0);
bool WriteAll(int fd, const std::string& data);
// Reads until `n` bytes arrived or EOF/error/timeout; returns what arrived.
std::string ReadUpTo(int fd, size_t n);
// Reads until EOF; `error` gets errno of a failed read (0 on clean EOF).
std::string ReadToEof(int fd, int* error = nullptr, int* reads = nullptr);
std::string RandomBytes(size_t n, uint64_t seed);
// Milliseconds of steady time since `start`.
double MillisSince(std::chrono::steady_clock::time_point start);

}  // namespace chaosrun::testing
