// proxybench bulk: one large download through each target (nginx serves the file), read and
// thrown away in 256 KiB reads; --rounds R repeats it with the targets interleaved and reports
// the median rate (and the lowest and highest). Time runs from the request to the last byte (or to
// --max-seconds, for runs that cannot finish, such as a transfer under a 100 ms latency toxic).
// Reports MB/s (10^6 bytes per second), the target's CPU time per GB (10^9 bytes) and its peak
// memory (sampled every 100 ms).
//
//   proxybench bulk [--path P] [--rounds R] [--max-seconds S] TARGET...
#include <vector>

#include "args.h"
#include "bench_util.h"

namespace bench {

namespace {

struct Transfer {
  double bytes = 0, seconds = 0, cpu_ns = 0;
  MachineCpu machine;  // the whole machine's CPU ticks spent during the transfer
  long mem_kib = 0;
  bool complete = false;
};

Transfer Once(const Target& t, const std::string& req, double max_us) {
  int fd = ConnectLoopback(t.port);
  if (fd < 0) Die("connect to " + t.name);
  std::vector<char> buf(256 * 1024);
  Transfer r;
  double cpu0 = TreeCpuNs(t.pid);
  r.mem_kib = TreeMemKib(t.pid);
  MachineCpu m0 = ReadMachineCpu();
  double t0 = NowUs(), next_sample = t0 + 1e5, now = t0;
  if (!SendAll(fd, req.data(), req.size())) Die("send to " + t.name);
  unsigned long long received = 0;
  r.complete = true;
  for (unsigned reads = 0;; ++reads) {
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Die("receive from " + t.name);
    if (n == 0) break;
    received += static_cast<unsigned long long>(n);
    if ((reads & 63) == 0) {
      now = NowUs();
      if (now >= next_sample) {
        r.mem_kib = std::max(r.mem_kib, TreeMemKib(t.pid));
        next_sample = now + 1e5;
      }
      if (now - t0 > max_us) {
        r.complete = false;
        break;
      }
    }
  }
  now = NowUs();
  r.cpu_ns = TreeCpuNs(t.pid) - cpu0;
  MachineCpu m1 = ReadMachineCpu();
  r.machine = {m1.busy - m0.busy, m1.steal - m0.steal, m1.total - m0.total};
  close(fd);
  r.seconds = (now - t0) / 1e6;
  r.bytes = static_cast<double>(received);
  return r;
}

}  // namespace

int Bulk(const Args& a) {
  int rounds = static_cast<int>(a.Num("rounds", 1));
  double max_us = a.Num("max-seconds", 120) * 1e6;
  std::string req = Request(a.Str("path", "/big"), true);
  std::vector<std::vector<Transfer>> runs(a.targets.size());
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < a.targets.size(); ++i)
      runs[i].push_back(Once(a.targets[i], req, max_us));
  }
  for (size_t i = 0; i < a.targets.size(); ++i) {
    const Target& t = a.targets[i];
    std::vector<double> rates;
    Transfer sum;
    sum.complete = true;
    for (const Transfer& x : runs[i]) {
      rates.push_back(x.bytes / 1e6 / x.seconds);
      sum.bytes += x.bytes;
      sum.seconds += x.seconds;
      sum.cpu_ns += x.cpu_ns;
      sum.mem_kib = std::max(sum.mem_kib, x.mem_kib);
      sum.complete = sum.complete && x.complete;
      sum.machine.busy += x.machine.busy;
      sum.machine.steal += x.machine.steal;
      sum.machine.total += x.machine.total;
    }
    double median = Percentile(rates, 50);
    std::printf(
        "target=%s rounds=%d bytes=%.0f seconds=%.3f mb_per_s=%.1f min_mb_per_s=%.1f "
        "max_mb_per_s=%.1f cpu_ms_per_gb=%.1f mem_kib=%ld complete=%d machine_busy_pct=%.0f "
        "machine_steal_pct=%.0f\n",
        t.name.c_str(), rounds, sum.bytes / rounds, sum.seconds / rounds, median, rates.front(),
        rates.back(), t.pid > 0 ? sum.cpu_ns / 1e6 / (sum.bytes / 1e9) : 0.0, sum.mem_kib,
        sum.complete ? 1 : 0, 100 * sum.machine.busy / std::max(1.0, sum.machine.total),
        100 * sum.machine.steal / std::max(1.0, sum.machine.total));
  }
  return 0;
}

}  // namespace bench
