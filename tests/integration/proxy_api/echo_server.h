// A loopback TCP echo server for relay checks: binds 127.0.0.1 on a free port, echoes every byte
// back on each connection (one thread per connection), and stops cleanly (the destructor shuts
// every connection down and joins every thread).
#pragma once

#include <mutex>
#include <thread>
#include <vector>

namespace chaosrun::apitest {

class EchoServer {
 public:
  EchoServer();  // listening when constructed; aborts the test binary if it cannot bind
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  int port() const { return port_; }

 private:
  void AcceptLoop();
  int listen_fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::vector<int> clients_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

// Sends `payload` to 127.0.0.1:port on a new connection and reads back as many bytes (receive
// timeout 10 s). Returns what came back ("" if the connection failed).
std::string EchoThrough(int port, const std::string& payload);

// Like EchoThrough, but writes from a second thread while reading, so a payload of any size
// flows without both ends waiting on full socket buffers.
std::string StreamThrough(int port, const std::string& payload);

}  // namespace chaosrun::apitest
