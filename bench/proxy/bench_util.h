// Shared helpers of the proxy benchmark tools (bench/proxy/*.cc): clock, loopback sockets, a
// minimal HTTP/1.1 response framer, percentiles, and readers of another process's CPU time and
// memory from /proc. Built only by bench/proxy/run.sh (g++ -O2), never part of the test suite.
#pragma once

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

inline double NowUs() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "proxybench: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// One measured endpoint: "NAME=PORT" or "NAME=PORT:PID" (PID: the process whose CPU and memory
// are charged to it; 0 = none, as for direct connections to the upstream).
struct Target {
  std::string name;
  int port = 0;
  int pid = 0;
};

inline Target ParseTarget(const std::string& s) {
  Target t;
  size_t eq = s.find('=');
  if (eq == std::string::npos) {
    std::fprintf(stderr, "proxybench: bad target '%s' (NAME=PORT[:PID])\n", s.c_str());
    std::exit(2);
  }
  t.name = s.substr(0, eq);
  std::string rest = s.substr(eq + 1);
  size_t colon = rest.find(':');
  t.port = std::atoi(rest.substr(0, colon).c_str());
  if (colon != std::string::npos) t.pid = std::atoi(rest.substr(colon + 1).c_str());
  return t;
}

// Blocking connect to 127.0.0.1:port with TCP_NODELAY; -1 on failure (errno set).
inline int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Frames HTTP/1.1 responses that carry a Content-Length (nginx's static answers): Feed bytes as
// they arrive; Complete() says when one whole response is in, Consume() drops it.
class ResponseFramer {
 public:
  void Feed(const char* p, size_t n) { buf_.append(p, n); }
  bool Complete() {
    if (need_ == 0) {
      size_t end = buf_.find("\r\n\r\n");
      if (end == std::string::npos) return false;
      size_t body = 0;
      for (size_t i = 0; i < end;) {
        size_t eol = buf_.find("\r\n", i);
        if (eol == std::string::npos || eol > end) eol = end;
        if (eol - i > 15 && strncasecmp(buf_.data() + i, "content-length:", 15) == 0) {
          body = std::strtoull(buf_.c_str() + i + 15, nullptr, 10);
        }
        i = eol + 2;
      }
      need_ = end + 4 + body;
    }
    return buf_.size() >= need_;
  }
  void Consume() {
    buf_.erase(0, need_);
    need_ = 0;
  }

 private:
  std::string buf_;
  size_t need_ = 0;
};

// Nearest-rank percentile (q in [0, 100]) of samples; sorts them.
inline double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(q / 100.0 * static_cast<double>(v.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// pid and every descendant (found through the ppid field of /proc/*/stat).
inline std::vector<int> ProcessTree(int root) {
  std::map<int, int> parent;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      int pid = std::atoi(e->d_name);
      if (pid <= 0) continue;
      std::string s = ReadFile("/proc/" + std::to_string(pid) + "/stat");
      size_t rp = s.rfind(')');
      if (rp == std::string::npos) continue;
      char state = 0;
      int ppid = 0;
      if (std::sscanf(s.c_str() + rp + 1, " %c %d", &state, &ppid) == 2) parent[pid] = ppid;
    }
    closedir(d);
  }
  std::vector<int> tree{root};
  for (size_t i = 0; i < tree.size(); ++i) {
    for (const auto& [pid, pp] : parent) {
      if (pp == tree[i]) tree.push_back(pid);
    }
  }
  return tree;
}

// CPU time in ns of a process tree: the on-CPU time of every live thread (schedstat, ns
// resolution) plus the user+system time of children the root has already reaped (cutime+cstime,
// clock-tick resolution; only socat forks per connection).
inline double TreeCpuNs(int root) {
  if (root <= 0) return 0;
  static const double tick_ns = 1e9 / static_cast<double>(sysconf(_SC_CLK_TCK));
  double total = 0;
  for (int pid : ProcessTree(root)) {
    std::string base = "/proc/" + std::to_string(pid);
    if (DIR* d = opendir((base + "/task").c_str())) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::string s = ReadFile(base + "/task/" + e->d_name + "/schedstat");
        total += std::strtod(s.c_str(), nullptr);
      }
      closedir(d);
    }
    std::string st = ReadFile(base + "/stat");
    size_t rp = st.rfind(')');
    if (rp == std::string::npos) continue;
    // Fields after ')': 3 state ... 16 cutime 17 cstime (1-based numbering of proc(5)).
    std::istringstream in(st.substr(rp + 2));
    std::string f;
    long long cu = 0, cs = 0;
    for (int field = 3; field <= 17 && (in >> f); ++field) {
      if (field == 16) cu = std::atoll(f.c_str());
      if (field == 17) cs = std::atoll(f.c_str());
    }
    total += static_cast<double>(cu + cs) * tick_ns;
  }
  return total;
}

// Whole-machine CPU time from the first line of /proc/stat, in clock ticks: busy (user, nice,
// system, irq, softirq), steal (taken by the hypervisor for other guests) and the total.
struct MachineCpu {
  double busy = 0, steal = 0, total = 0;
};

inline MachineCpu ReadMachineCpu() {
  MachineCpu m;
  std::istringstream in(ReadFile("/proc/stat"));
  std::string cpu;
  double v[8] = {};
  in >> cpu;
  for (double& x : v) in >> x;
  m.busy = v[0] + v[1] + v[2] + v[5] + v[6];
  m.steal = v[7];
  for (double x : v) m.total += x;
  return m;
}

inline long StatusKib(const std::string& status, const char* key) {
  size_t at = status.find(key);
  if (at == std::string::npos) return 0;
  return std::atol(status.c_str() + at + std::strlen(key));
}

// Memory of a process tree in KiB: VmRSS for a single process; for several processes (socat's
// fork per connection) the sum of their Pss, so shared pages are not counted once per process.
inline long TreeMemKib(int root) {
  if (root <= 0) return 0;
  std::vector<int> tree = ProcessTree(root);
  if (tree.size() == 1) {
    return StatusKib(ReadFile("/proc/" + std::to_string(root) + "/status"), "VmRSS:");
  }
  long total = 0;
  for (int pid : tree) {
    total += StatusKib(ReadFile("/proc/" + std::to_string(pid) + "/smaps_rollup"), "\nPss:");
  }
  return total;
}

}  // namespace bench
