// proxybench setup: the cost of a new connection. Each sample is connect + send a small
// "Connection: close" request + first byte of the answer; the answer is then read to its end and
// the socket closed (the server closes first, so no TIME_WAIT piles up on the client's ports).
// Targets are interleaved in blocks; the CPU time of each target's process tree over its blocks,
// divided by the connections, is its CPU per new connection.
//
//   proxybench setup [--connections N] [--block B] [--path P] TARGET...
#include <utility>
#include <vector>

#include "args.h"
#include "bench_util.h"

namespace bench {
namespace {

struct Side {
  Target target;
  std::vector<double> first_byte;
  std::vector<double> whole;
  double cpu_ns = 0;
};

void OneConnection(Side& s, const std::string& req, bool record) {
  double t0 = NowUs();
  int fd = ConnectLoopback(s.target.port);
  if (fd < 0) Die("connect to " + s.target.name);
  if (!SendAll(fd, req.data(), req.size())) Die("send to " + s.target.name);
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n <= 0) Die("first byte from " + s.target.name);
  double t1 = NowUs();
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  close(fd);
  double t2 = NowUs();
  if (record) {
    s.first_byte.push_back(t1 - t0);
    s.whole.push_back(t2 - t0);
  }
}

}  // namespace

int Setup(const Args& a) {
  long connections = static_cast<long>(a.Num("connections", 2000));
  long block = static_cast<long>(a.Num("block", 100));
  std::string req = Request(a.Str("path", "/s"), true);
  std::vector<Side> sides;
  for (const Target& t : a.targets) {
    Side s;
    s.target = t;
    sides.push_back(std::move(s));
  }
  for (Side& s : sides) {
    for (int i = 0; i < 20; ++i) OneConnection(s, req, false);
  }
  for (bool more = true; more;) {
    more = false;
    for (Side& s : sides) {
      long left = connections - static_cast<long>(s.first_byte.size());
      if (left <= 0) continue;
      double cpu0 = TreeCpuNs(s.target.pid);
      for (long k = 0; k < std::min(left, block); ++k) OneConnection(s, req, true);
      s.cpu_ns += TreeCpuNs(s.target.pid) - cpu0;
      more = true;
    }
  }
  for (Side& s : sides) {
    double n = static_cast<double>(s.first_byte.size());
    double fb50 = Percentile(s.first_byte, 50), fb99 = Percentile(s.first_byte, 99);
    double all50 = Percentile(s.whole, 50);
    std::printf(
        "target=%s n=%.0f first_byte_p50_us=%.1f first_byte_p99_us=%.1f closed_p50_us=%.1f "
        "cpu_us_per_conn=%.2f\n",
        s.target.name.c_str(), n, fb50, fb99, all50, s.target.pid > 0 ? s.cpu_ns / 1e3 / n : 0.0);
  }
  return 0;
}

}  // namespace bench
