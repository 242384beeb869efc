// proxybench latency: request/response round trips over persistent keep-alive connections, the
// targets interleaved in blocks so that a change of machine load hits every target alike.
//
//   proxybench latency [--conns C] [--requests N] [--block B] [--warmup W] [--path P] TARGET...
//
// With C = 1 one blocking connection does N sequential round trips. With C > 1 the C connections
// of a target each keep one request outstanding (epoll, one thread) until N responses are in;
// every sample is send-to-last-byte of one response. While a target's block runs, its process
// tree's CPU time is accumulated (CPU per request) and its memory is sampled half-way (memory
// under load). Prints one "target=NAME key=value..." line per target.
//
// --pause-ms P (1 connection): sleep P ms before each request (not timed), so the path starts
// from idle CPUs as it does behind a long latency toxic.
// --timer-floor-ms T (for the latency toxic): meanwhile a second thread sleeps T ms again and
// again and records how late it wakes, the machine's own floor for any timer (floor_*_us).
#include <sys/epoll.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "args.h"
#include "bench_util.h"

namespace bench {
namespace {

struct Side {
  Target target;
  std::vector<int> fds;
  std::vector<ResponseFramer> framers;
  std::vector<double> started;
  int epoll = -1;
  std::vector<double> samples;
  double cpu_ns = 0;
  long mem_kib = 0;
};

void Open(Side& s, int conns) {
  for (int i = 0; i < conns; ++i) {
    int fd = ConnectLoopback(s.target.port);
    if (fd < 0) Die("connect to " + s.target.name);
    s.fds.push_back(fd);
  }
  s.framers.resize(static_cast<size_t>(conns));
  s.started.resize(static_cast<size_t>(conns));
  if (conns > 1) {
    s.epoll = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < conns; ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(i);
      if (epoll_ctl(s.epoll, EPOLL_CTL_ADD, s.fds[static_cast<size_t>(i)], &ev) != 0) {
        Die("epoll_ctl");
      }
    }
  }
}

// Reads whatever is ready on connection i; true when a whole response has arrived.
bool ReadSome(Side& s, size_t i) {
  char buf[16384];
  ssize_t n = recv(s.fds[i], buf, sizeof buf, 0);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return false;
    errno = n == 0 ? ECONNRESET : errno;
    Die("receive from " + s.target.name);
  }
  s.framers[i].Feed(buf, static_cast<size_t>(n));
  return s.framers[i].Complete();
}

void SleepMs(double ms) {
  timespec d{static_cast<time_t>(ms / 1000), static_cast<long>(std::fmod(ms, 1000.0) * 1e6)};
  nanosleep(&d, nullptr);
}

void Block(Side& s, const std::string& req, long count, bool record, double pause_ms) {
  double cpu0 = TreeCpuNs(s.target.pid);
  if (s.fds.size() == 1) {
    for (long k = 0; k < count; ++k) {
      if (pause_ms > 0) SleepMs(pause_ms);
      double t0 = NowUs();
      if (!SendAll(s.fds[0], req.data(), req.size())) Die("send to " + s.target.name);
      while (!ReadSome(s, 0)) {
      }
      double t1 = NowUs();
      s.framers[0].Consume();
      if (record) s.samples.push_back(t1 - t0);
    }
  } else {
    long issued = 0, done = 0;
    for (size_t i = 0; i < s.fds.size() && issued < count; ++i, ++issued) {
      s.started[i] = NowUs();
      if (!SendAll(s.fds[i], req.data(), req.size())) Die("send to " + s.target.name);
    }
    epoll_event evs[128];
    while (done < count) {
      int n = epoll_wait(s.epoll, evs, 128, 10000);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) Die("waiting for " + s.target.name + " (no answer within 10 s)");
      for (int e = 0; e < n; ++e) {
        size_t i = evs[e].data.u32;
        if (!ReadSome(s, i)) continue;
        double t1 = NowUs();
        s.framers[i].Consume();
        if (record) s.samples.push_back(t1 - s.started[i]);
        if (++done == count / 2 && record)
          s.mem_kib = std::max(s.mem_kib, TreeMemKib(s.target.pid));
        if (issued < count) {
          ++issued;
          s.started[i] = NowUs();
          if (!SendAll(s.fds[i], req.data(), req.size())) Die("send to " + s.target.name);
        }
      }
    }
  }
  if (record) s.cpu_ns += TreeCpuNs(s.target.pid) - cpu0;
}

// Sleeps `ms` again and again until `stop`, collecting how late each wake-up was (µs).
void TimerFloor(double ms, const std::atomic<bool>& stop, std::vector<double>& late) {
  while (!stop.load()) {
    double t0 = NowUs();
    SleepMs(ms);
    late.push_back(NowUs() - t0 - ms * 1000);
  }
}

}  // namespace

int Latency(const Args& a) {
  int conns = static_cast<int>(a.Num("conns", 1));
  long requests = static_cast<long>(a.Num("requests", 10000));
  long block = static_cast<long>(a.Num("block", conns == 1 ? 500 : 5000));
  long warmup = static_cast<long>(a.Num("warmup", 200));
  double pause_ms = a.Num("pause-ms", 0);
  std::string req = Request(a.Str("path", "/s"), false);
  std::vector<Side> sides;
  for (const Target& t : a.targets) {
    Side s;
    s.target = t;
    sides.push_back(std::move(s));
  }
  for (Side& s : sides) {
    Open(s, conns);
    Block(s, req, warmup, false, pause_ms);
  }
  double floor_ms = a.Num("timer-floor-ms", 0);
  std::atomic<bool> stop{false};
  std::vector<double> late;
  std::thread floor;
  if (floor_ms > 0) floor = std::thread(TimerFloor, floor_ms, std::cref(stop), std::ref(late));
  for (bool more = true; more;) {
    more = false;
    for (Side& s : sides) {
      long left = requests - static_cast<long>(s.samples.size());
      if (left <= 0) continue;
      Block(s, req, std::min(left, block), true, pause_ms);
      more = true;
    }
  }
  std::string floor_text;
  if (floor.joinable()) {
    stop = true;
    floor.join();
    char text[160];
    double f50 = Percentile(late, 50), f99 = Percentile(late, 99);
    std::snprintf(text, sizeof text, " floor_n=%zu floor_p50_us=%.1f floor_p99_us=%.1f",
                  late.size(), f50, f99);
    floor_text = text;
  }
  for (Side& s : sides) {
    double n = static_cast<double>(s.samples.size());
    double sum = 0;
    for (double v : s.samples) sum += v;
    double p50 = Percentile(s.samples, 50), p90 = Percentile(s.samples, 90);
    double p99 = Percentile(s.samples, 99), max = s.samples.back(), min = s.samples.front();
    std::printf(
        "target=%s conns=%d n=%.0f min_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f "
        "mean_us=%.1f cpu_us_per_req=%.2f mem_kib=%ld%s\n",
        s.target.name.c_str(), conns, n, min, p50, p90, p99, max, sum / n,
        s.target.pid > 0 ? s.cpu_ns / 1e3 / n : 0.0, s.mem_kib, floor_text.c_str());
    for (int fd : s.fds) close(fd);
  }
  return 0;
}

}  // namespace bench
