// proxybench idle: memory of a proxy holding many idle connections. Reads the proxy's memory,
// opens N connections through it, sends one small keep-alive request on each and reads the
// answer (so the proxy has connected upstream and set the connection up completely), waits a
// second with all of them idle, reads the memory again, then closes them.
//
//   proxybench idle [--conns N] [--path P] TARGET
// Prints the memory before and after and the growth per connection (bytes). The caller's
// `ulimit -n` must allow N descriptors (and the proxy's, 2N).
#include <sys/time.h>

#include <vector>

#include "args.h"
#include "bench_util.h"

namespace bench {

int Idle(const Args& a) {
  if (a.targets.size() != 1 || a.targets[0].pid <= 0) {
    std::fprintf(stderr, "proxybench idle: exactly one target with a PID\n");
    return 2;
  }
  const Target& t = a.targets[0];
  long conns = static_cast<long>(a.Num("conns", 10000));
  std::string req = Request(a.Str("path", "/s"), false);
  long before = TreeMemKib(t.pid);
  std::vector<int> fds;
  const char* failed = nullptr;
  char buf[4096];
  for (long i = 0; i < conns; ++i) {
    int fd = ConnectLoopback(t.port);
    if (fd < 0) {
      failed = "connect";
      break;
    }
    fds.push_back(fd);
    timeval limit{5, 0};  // a proxy that stops answering fails the run instead of stalling it
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ResponseFramer f;
    bool ok = SendAll(fd, req.data(), req.size());
    while (ok) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        ok = false;
        break;
      }
      f.Feed(buf, static_cast<size_t>(n));
      if (f.Complete()) break;
    }
    if (!ok) {
      failed = "request";
      break;
    }
  }
  usleep(1000 * 1000);
  long after = TreeMemKib(t.pid);
  double per_conn =
      fds.empty() ? 0.0
                  : static_cast<double>(after - before) * 1024.0 / static_cast<double>(fds.size());
  std::printf("target=%s conns=%zu before_kib=%ld after_kib=%ld bytes_per_conn=%.0f failed=%s\n",
              t.name.c_str(), fds.size(), before, after, per_conn, failed ? failed : "none");
  if (failed)
    std::fprintf(stderr, "proxybench idle: %s %zu: %s\n", failed, fds.size(), std::strerror(errno));
  for (int fd : fds) close(fd);
  return 0;
}

}  // namespace bench
