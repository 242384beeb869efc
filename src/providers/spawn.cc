#include "providers/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "common/log.h"

extern char** environ;  // NOLINT: POSIX

namespace chaosrun::providers {

namespace {

std::string Errno(int e) { return std::strerror(e); }

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) Reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A close-on-exec pipe whose descriptors are all >= 3, so that dup2() onto 1 and 2 in the child
// never collides with them even if the parent runs with a standard descriptor closed.
Status MakePipe(Fd* read_end, Fd* write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return Status::IoError("pipe2: " + Errno(errno));
  for (int& fd : p) {
    if (fd < 3) {
      const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
      ::close(fd);
      fd = moved;
    }
  }
  read_end->Reset(p[0]);
  write_end->Reset(p[1]);
  if (!read_end->valid() || !write_end->valid()) return Status::IoError("fcntl: " + Errno(errno));
  return Status::Ok();
}

// Becomes readable once the child has exited, without reaping it (so its pid, which is also the
// process group id, stays reserved until the final waitpid).
class ExitWatcher {
 public:
  ExitWatcher(pid_t pid, bool use_pidfd) : pid_(pid) {
    const long fd = use_pidfd ? ::syscall(SYS_pidfd_open, pid, 0) : -1;
    if (fd >= 0) {
      fd_.Reset(static_cast<int>(fd));
      return;
    }
    // No pidfd (old kernel, seccomp): a helper thread waits without reaping, then signals.
    fd_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd_.valid()) return;
    try {
      thread_ = std::thread([pid, efd = fd_.get()] {
        siginfo_t info{};
        while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 &&
               errno == EINTR) {
        }
        const uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(efd, &one, sizeof one);
      });
    } catch (...) {
      fd_.Reset();
    }
  }
  ExitWatcher(const ExitWatcher&) = delete;
  ExitWatcher& operator=(const ExitWatcher&) = delete;
  // Only once the child has exited or been killed.
  ~ExitWatcher() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  // -1 when neither a pidfd nor a helper thread could be set up: the caller then polls waitid.
  int fd() const { return fd_.get(); }
  bool ExitedNow() const {
    siginfo_t info{};
    info.si_pid = 0;
    return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid != 0;
  }

 private:
  pid_t pid_;
  Fd fd_;
  std::thread thread_;
};

struct Capture {
  Fd fd;
  std::string* buf;
  bool* truncated;
};

// Reads once from a readable pipe; closes it at end of file or on error.
void Drain(Capture* c, size_t max_capture) {
  char chunk[65536];
  const ssize_t n = ::read(c->fd.get(), chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    c->fd.Reset();
    return;
  }
  const size_t got = static_cast<size_t>(n);
  const size_t room = max_capture - std::min(max_capture, c->buf->size());
  c->buf->append(chunk, std::min(got, room));
  if (got > room) *c->truncated = true;
}

class SpawnAttr {
 public:
  SpawnAttr() {
    ::posix_spawnattr_init(&attr_);
    ::posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnAttr() {
    ::posix_spawnattr_destroy(&attr_);
    ::posix_spawn_file_actions_destroy(&actions_);
  }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;

  int Setup(int out_fd, int err_fd) {
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE, SIGXFSZ}) sigaddset(&defaults, s);
    const short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (int e = ::posix_spawnattr_setflags(&attr_, flags)) return e;
    if (int e = ::posix_spawnattr_setpgroup(&attr_, 0)) return e;
    if (int e = ::posix_spawnattr_setsigmask(&attr_, &empty)) return e;
    if (int e = ::posix_spawnattr_setsigdefault(&attr_, &defaults)) return e;
    if (int e = ::posix_spawn_file_actions_adddup2(&actions_, out_fd, STDOUT_FILENO)) return e;
    return ::posix_spawn_file_actions_adddup2(&actions_, err_fd, STDERR_FILENO);
  }
  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

timespec ToTimespec(std::chrono::nanoseconds d) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d);
  return timespec{static_cast<time_t>(secs.count()), static_cast<long>((d - secs).count())};
}

int DecodeWaitStatus(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return -WTERMSIG(st);
  return st;
}

}  // namespace

Result<ProcessResult> SpawnAndWait(const std::vector<std::string>& argv, const CancelToken& cancel,
                                   const SpawnOptions& options) {
  if (argv.empty()) return Err(Status::InvalidArgument("empty argv"));
  ProcessResult result;
  Capture out{Fd(), &result.out, &result.out_truncated};
  Capture err{Fd(), &result.err, &result.err_truncated};
  Fd out_w, err_w;
  if (Status s = MakePipe(&out.fd, &out_w); !s.ok()) return Err(s);
  if (Status s = MakePipe(&err.fd, &err_w); !s.ok()) return Err(s);

  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  pid_t pid = -1;
  {
    SpawnAttr spawn_attr;
    int e = spawn_attr.Setup(out_w.get(), err_w.get());
    if (e == 0) {
      e = ::posix_spawn(&pid, cargv[0], spawn_attr.actions(), spawn_attr.attr(), cargv.data(),
                        environ);
    }
    if (e != 0) return Err(Status::IoError("cannot start '" + argv[0] + "': " + Errno(e)));
  }
  out_w.Reset();
  err_w.Reset();
  if (options.on_spawn) options.on_spawn(pid);

  ExitWatcher watcher(pid, !options.force_wait_thread);
  const auto start = std::chrono::steady_clock::now();
  bool exited = false;
  for (;;) {
    if (cancel.cancelled()) {
      result.end = ProcessResult::End::kCancelled;
      break;
    }
    if (!exited && watcher.fd() < 0) exited = watcher.ExitedNow();
    if (exited && !out.fd.valid() && !err.fd.valid()) break;
    std::array<pollfd, 4> fds{};
    nfds_t n = 0;
    const auto add = [&](int fd) {
      if (fd < 0) return -1;
      fds[n] = pollfd{fd, POLLIN, 0};
      return static_cast<int>(n++);
    };
    const int i_out = add(out.fd.get());
    const int i_err = add(err.fd.get());
    const int i_exit = exited ? -1 : add(watcher.fd());
    const int i_cancel = add(cancel.fd());
    timespec ts{};
    const timespec* tsp = nullptr;
    if (options.timeout) {
      const auto left = *options.timeout - (std::chrono::steady_clock::now() - start);
      if (left <= std::chrono::nanoseconds::zero()) {
        result.end = ProcessResult::End::kTimedOut;
        break;
      }
      ts = ToTimespec(left);
      tsp = &ts;
    }
    timespec tick{0, 50'000'000};  // only when the exit cannot be watched by a descriptor
    if (!exited && watcher.fd() < 0 && (!tsp || tsp->tv_sec > 0 || tsp->tv_nsec > tick.tv_nsec)) {
      tsp = &tick;
    }
    const int r = ::ppoll(fds.data(), n, tsp, nullptr);
    if (r < 0) {
      if (errno == EINTR) continue;
      log::Warn("process provider: ppoll failed: {}; killing the process", Errno(errno));
      result.end = ProcessResult::End::kCancelled;
      break;
    }
    const auto ready = [&](int i) { return i >= 0 && fds[static_cast<size_t>(i)].revents != 0; };
    if (ready(i_cancel)) continue;  // seen at the top of the loop
    if (ready(i_out)) Drain(&out, options.max_capture);
    if (ready(i_err)) Drain(&err, options.max_capture);
    if (ready(i_exit)) exited = true;
  }
  if (result.end != ProcessResult::End::kExited) {
    // The child is not reaped yet, so its pid still names its process group.
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  out.fd.Reset();
  err.fd.Reset();
  watcher.Join();
  int st = 0;
  pid_t w;
  while ((w = ::waitpid(pid, &st, 0)) < 0 && errno == EINTR) {
  }
  if (w < 0) {
    log::Warn("process provider: cannot reap pid {}: {}", pid, Errno(errno));
    st = 0;
  }
  result.status = DecodeWaitStatus(st);
  return result;
}

}  // namespace chaosrun::providers
