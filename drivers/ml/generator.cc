// The load generator of overload_telemetry (see overload.cc for the fault): started with a
// double fork, it runs only async-signal-safe calls; found again through its abstract socket.
#include "generator.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace chaosrun_ml {

namespace {

// ---- in the generator (after fork: async-signal-safe calls only) ----

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Waits up to `ns` on the listener: every connection (the undo looking for us, or anyone) is
// accepted and closed at once, so a full backlog can never make a connect() hang.
void WaitAndServe(int self, int64_t ns) {
  if (ns < 0) ns = 0;
  int ms = static_cast<int>(std::min<int64_t>((ns + 999999) / 1000000, 1000));
  pollfd p{self, POLLIN, 0};
  int r = poll(&p, 1, ms);
  if (r <= 0 || (p.revents & POLLIN) == 0) return;
  for (int i = 0; i < 64; ++i) {  // drain what is queued, bounded
    int c = accept4(self, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) break;
    close(c);
  }
}

void OneRequest(const GeneratorSpec& g) {
  int fd = socket(g.target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&g.target), g.target_len) == 0) {
    size_t done = 0;
    while (done < g.request_len) {
      ssize_t n = send(fd, g.request + done, g.request_len - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    // Read the answer up to the end of its headers (or EOF): a little back-pressure, and the
    // server sees a client that listens rather than a reset.
    char buf[4096];
    uint32_t last4 = 0;  // the last four bytes received: the headers end at "\r\n\r\n"
    bool end = false;
    while (done == g.request_len && !end) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (ssize_t i = 0; i < n && !end; ++i) {
        last4 = last4 << 8 | static_cast<unsigned char>(buf[i]);
        end = last4 == 0x0d0a0d0a;
      }
    }
  }
  close(fd);
}

[[noreturn]] void RunGenerator(const GeneratorSpec& g, int report_fd) {
  int32_t code = 0;
  int self = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (self < 0 || bind(self, reinterpret_cast<const sockaddr*>(&g.self), g.self_len) != 0 ||
      listen(self, 8) != 0) {
    code = -(errno == 0 ? EIO : errno);
    (void)!write(report_fd, &code, sizeof(code));
    _exit(1);
  }
  code = static_cast<int32_t>(getpid());
  (void)!write(report_fd, &code, sizeof(code));
  close(report_fd);
  const int64_t start = NowNs();
  const int64_t deadline = start + g.duration_ns;
  int64_t next = start;
  for (;;) {
    int64_t now = NowNs();
    if (now >= deadline) break;
    if (next > now) {
      WaitAndServe(self, std::min(next, deadline) - now);
      continue;
    }
    WaitAndServe(self, 0);
    OneRequest(g);
    next += g.interval_ns;
    if (NowNs() - next > 1000000000) next = NowNs();  // more than 1 s behind: do not burst
  }
  _exit(0);
}

}  // namespace

std::string SocketName(const std::string& token) { return "chaosrun-ml-overload-" + token; }

void AbstractAddress(const std::string& name, sockaddr_un* a, socklen_t* len) {
  std::memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  size_t n = std::min(name.size(), sizeof(a->sun_path) - 2);
  std::memcpy(a->sun_path + 1, name.data(), n);  // sun_path[0] == '\0': abstract
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
}

// Forks the generator; its pid, or -1 and *error.
pid_t StartGenerator(const GeneratorSpec& g, std::string* error) {
  // The close() fallback of close_range needs the descriptor limit, fetched before the fork.
  rlimit nofile{};
  int max_fd = 65536;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY) {
    max_fd = static_cast<int>(std::min<rlim_t>(nofile.rlim_cur, 1 << 20));
  }
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  pid_t mid = fork();
  if (mid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    close(report[0]);
    close(report[1]);
    return -1;
  }
  if (mid == 0) {
    // Intermediate child: a new session, a clean signal mask, the standard streams on
    // /dev/null, no inherited descriptor but the report pipe (as fd 3).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // The host's signal handlers would run here too: the default actions instead, so a
    // SIGTERM from anyone simply ends the generator. And a name of its own in ps/top.
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD}) {
      signal(sig, SIG_DFL);
    }
    prctl(PR_SET_NAME, "chaosrun-load", 0, 0, 0);
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, 0);
      dup2(null_fd, 1);
      dup2(null_fd, 2);
    }
    if (dup2(report[1], 3) != 3) _exit(2);
    if (close_range(4, ~0U, 0) != 0) {
      for (int fd = 4; fd < max_fd; ++fd) close(fd);
    }
    setsid();
    pid_t gen = fork();
    if (gen < 0) {
      int32_t code = -(errno == 0 ? EIO : errno);
      (void)!write(3, &code, sizeof(code));
      _exit(1);
    }
    if (gen == 0) RunGenerator(g, 3);
    _exit(0);
  }
  close(report[1]);
  int status = 0;
  while (waitpid(mid, &status, 0) < 0 && errno == EINTR) {
  }
  int32_t code = 0;
  size_t got = 0;
  pollfd p{report[0], POLLIN, 0};
  while (got < sizeof(code)) {
    int r = poll(&p, 1, 5000);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ssize_t n = read(report[0], reinterpret_cast<char*>(&code) + got, sizeof(code) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(report[0]);
  if (got != sizeof(code) || code == 0) {
    *error = "the generator did not start";
    return -1;
  }
  if (code < 0) {
    *error = std::string("the generator could not start: ") + std::strerror(-code);
    return -1;
  }
  return static_cast<pid_t>(code);
}

namespace {

enum class Probe { kGone, kAlive, kBusy, kError };

// One connect to the generator's socket (1 s send timeout: a unix connect to a full backlog
// waits at most that long, then fails with EAGAIN, which means a live listener).
Probe ProbeGenerator(const std::string& token, pid_t* pid, std::string* error) {
  sockaddr_un a{};
  socklen_t len = 0;
  AbstractAddress(SocketName(token), &a, &len);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return Probe::kError;
  }
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&a), len) != 0) {
    int e = errno;
    close(fd);
    if (e == ECONNREFUSED || e == ENOENT) return Probe::kGone;
    if (e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS || e == EINTR) return Probe::kBusy;
    *error = std::string("connect to the generator's socket: ") + std::strerror(e);
    return Probe::kError;
  }
  ucred cred{};
  socklen_t cl = sizeof(cred);
  int rc = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl);
  int e = errno;
  close(fd);
  if (rc != 0) {
    *error = std::string("SO_PEERCRED: ") + std::strerror(e);
    return Probe::kError;
  }
  if (cred.uid != geteuid()) {
    *error = "the socket " + SocketName(token) + " belongs to uid " + std::to_string(cred.uid) +
             ", not to us: left alone";
    return Probe::kError;
  }
  if (cred.pid <= 1) {
    *error = "the socket's owner has no usable pid";
    return Probe::kError;
  }
  *pid = cred.pid;
  return Probe::kAlive;
}

}  // namespace

// Connects to the generator's socket: the listener's pid, 0 when nobody listens, -1 on error.
// A busy socket (full backlog) is tried again, 4 times at most, backing off 50 ms to 400 ms.
pid_t FindGenerator(const std::string& token, std::string* error) {
  int backoff_ms = 50;
  for (int attempt = 0;; ++attempt) {
    pid_t pid = 0;
    switch (ProbeGenerator(token, &pid, error)) {
      case Probe::kGone:
        return 0;
      case Probe::kAlive:
        return pid;
      case Probe::kError:
        return -1;
      case Probe::kBusy:
        break;
    }
    if (attempt == 4) {
      *error = "the generator's socket " + SocketName(token) +
               " does not accept connections (its backlog stays full)";
      return -1;
    }
    timespec ts{0, static_cast<long>(backoff_ms) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    backoff_ms *= 2;
  }
}

}  // namespace chaosrun_ml
