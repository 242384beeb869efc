#include "process/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

extern char** environ;

namespace chaosrun::drivers::process {

namespace {

constexpr size_t kMaxCapture = 64 * 1024;

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

pid_t WaitFor(pid_t pid, int* status) {
  for (;;) {
    pid_t r = ::waitpid(pid, status, 0);
    if (r >= 0 || errno != EINTR) return r;
  }
}

// --- after fork(): async-signal-safe calls only -------------------------------------------

void WriteRecord(int fd, char tag, int32_t value) {
  char rec[5];
  rec[0] = tag;
  std::memcpy(rec + 1, &value, sizeof(value));
  ssize_t ignored = ::write(fd, rec, sizeof(rec));
  (void)ignored;
}

void CloseAllExcept(int keep, int max_fd) {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, 3u, static_cast<unsigned>(keep - 1), 0u) == 0 &&
      ::syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0u, 0u) == 0) {
    return;
  }
#endif
  for (int fd = 3; fd < max_fd; ++fd) {
    if (fd != keep) ::close(fd);
  }
}

// What the daemon's child switches to before exec, prepared before fork (nothing is allocated
// after it). Raw system calls: the child has one thread, so they change the whole process.
struct ChildIdentity {
  bool set_groups = false, set_gid = false, set_uid = false;
  std::vector<gid_t> groups;
  uid_t ruid = 0, euid = 0;
  gid_t rgid = 0, egid = 0;
  std::string cwd;
  std::vector<char*> envp;
};

[[noreturn]] void Fail(int report_fd, char tag) {
  WriteRecord(report_fd, tag, errno);
  ::_exit(127);
}

[[noreturn]] void ExecDaemon(const char* path, char* const* argv, int report_fd, int max_fd,
                             const ChildIdentity* as) {
  ::setsid();
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    if (null_fd > 2) ::close(null_fd);
  }
  // report_fd (>= 3) is close-on-exec: its end of file tells the parent the exec succeeded.
  CloseAllExcept(report_fd, max_fd);
  if (as != nullptr) {
    // Groups, then gid, then uid (after setuid the rights to change the others are gone).
    if (as->set_groups && ::syscall(SYS_setgroups, as->groups.size(), as->groups.data()) != 0) {
      Fail(report_fd, 'G');
    }
    if (as->set_gid && ::syscall(SYS_setresgid, as->rgid, as->egid, as->egid) != 0) {
      Fail(report_fd, 'g');
    }
    if (as->set_uid && ::syscall(SYS_setresuid, as->ruid, as->euid, as->euid) != 0) {
      Fail(report_fd, 'u');
    }
    if (::chdir(as->cwd.c_str()) != 0) Fail(report_fd, 'c');
  }
  ::execve(path, argv, as != nullptr ? as->envp.data() : environ);
  WriteRecord(report_fd, 'E', errno);
  ::_exit(127);
}

}  // namespace

std::string CaptureResult::Describe() const {
  if (!started) return error;
  if (timed_out) return "timed out";
  if (cancelled) return "cancelled";
  std::string s = term_signal != 0 ? "killed by signal " + std::to_string(term_signal)
                                   : "exit status " + std::to_string(exit_code);
  std::string e = err;
  while (!e.empty() && (e.back() == '\n' || e.back() == '\r')) e.pop_back();
  if (!e.empty()) s += ": " + e;
  return s;
}

CaptureResult RunCapture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::function<bool()>& cancelled) {
  CaptureResult r;
  if (argv.empty() || argv[0].empty()) {
    r.error = "empty command";
    return r;
  }
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    CloseFd(out[0]);
    CloseFd(out[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  ::posix_spawn_file_actions_adddup2(&fa, err[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  ::posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
  sigset_t none;
  sigset_t all;
  ::sigemptyset(&none);
  ::sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  std::vector<char*> args = Argv(argv);
  int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  ::posix_spawn_file_actions_destroy(&fa);
  ::posix_spawnattr_destroy(&attr);
  CloseFd(out[1]);
  CloseFd(err[1]);
  if (rc != 0) {
    r.error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    CloseFd(out[0]);
    CloseFd(err[0]);
    return r;
  }
  r.started = true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (cancelled && cancelled()) {
      r.cancelled = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    int wait_ms = static_cast<int>(std::min<int64_t>(left.count(), 100));
    int n = ::poll(fds, 2, wait_ms);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        size_t room = kMaxCapture - std::min(kMaxCapture, sinks[i]->size());
        sinks[i]->append(buf, std::min(room, static_cast<size_t>(got)));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
  }
  for (auto& f : fds) CloseFd(f.fd);
  if (r.timed_out || r.cancelled) ::kill(pid, SIGKILL);
  int status = 0;
  if (WaitFor(pid, &status) == pid) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
  }
  return r;
}

std::string FindExecutable(const std::string& name, const char* search_path) {
  auto executable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return executable(name) ? name : std::string();
  const char* env = search_path != nullptr ? search_path : ::getenv("PATH");
  std::string path = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    size_t end = path.find(':', start);
    std::string dir =
        path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (executable(candidate)) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {};
}

namespace {

// Which of the identity's parts differ from this process's (only those are changed, so a
// host that is not root can still restart a process of its own user).
ChildIdentity PlanIdentity(const Credentials& c) {
  ChildIdentity id;
  uid_t ru = 0, eu = 0, su = 0;
  gid_t rg = 0, eg = 0, sg = 0;
  ::getresuid(&ru, &eu, &su);
  ::getresgid(&rg, &eg, &sg);
  int n = ::getgroups(0, nullptr);
  std::vector<gid_t> mine(n > 0 ? static_cast<size_t>(n) : 0);
  if (n > 0) mine.resize(static_cast<size_t>(std::max(0, ::getgroups(n, mine.data()))));
  id.groups = c.groups;
  id.set_groups = n < 0 || mine != c.groups;
  id.set_gid = rg != c.rgid || eg != c.egid || sg != c.egid;
  id.set_uid = ru != c.ruid || eu != c.euid || su != c.euid;
  id.ruid = c.ruid;
  id.euid = c.euid;
  id.rgid = c.rgid;
  id.egid = c.egid;
  id.cwd = c.cwd;
  for (const auto& e : c.env) id.envp.push_back(const_cast<char*>(e.c_str()));
  id.envp.push_back(nullptr);
  return id;
}

}  // namespace

DetachedResult SpawnDetached(const std::vector<std::string>& argv, const Credentials* as) {
  DetachedResult r;
  if (argv.empty() || argv[0].empty()) {
    r.error = "empty command";
    return r;
  }
  std::optional<std::string> search;
  if (as != nullptr) search = EnvValue(as->env, "PATH");
  std::string path = FindExecutable(argv[0], search ? search->c_str() : nullptr);
  if (path.empty()) {
    r.error = "cannot run " + argv[0] + ": not found or not executable";
    return r;
  }
  std::vector<char*> args = Argv(argv);
  rlimit lim{};
  int max_fd = ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY
                   ? static_cast<int>(std::min<rlim_t>(lim.rlim_cur, 65536))
                   : 65536;
  int report[2] = {-1, -1};
  if (::pipe2(report, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  if (report[1] < 3) {  // keep it clear of the stdin/stdout/stderr the daemon gets
    int moved = ::fcntl(report[1], F_DUPFD_CLOEXEC, 3);
    ::close(report[1]);
    report[1] = moved;
    if (moved < 0) {
      r.error = std::string("fcntl: ") + std::strerror(errno);
      CloseFd(report[0]);
      return r;
    }
  }
  std::unique_ptr<ChildIdentity> identity;
  if (as != nullptr) identity = std::make_unique<ChildIdentity>(PlanIdentity(*as));
  pid_t middle = ::fork();
  if (middle < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    CloseFd(report[0]);
    CloseFd(report[1]);
    return r;
  }
  if (middle == 0) {
    ::close(report[0]);
    pid_t daemon = ::fork();
    if (daemon == 0) ExecDaemon(path.c_str(), args.data(), report[1], max_fd, identity.get());
    if (daemon < 0) {
      WriteRecord(report[1], 'F', errno);
      ::_exit(1);
    }
    WriteRecord(report[1], 'P', static_cast<int32_t>(daemon));
    ::_exit(0);
  }
  CloseFd(report[1]);
  int status = 0;
  WaitFor(middle, &status);  // ECHILD if the host reaped it first: harmless
  std::string data;
  pollfd pfd{report[0], POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (data.size() < 64) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    char buf[64];
    ssize_t got = ::read(report[0], buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    data.append(buf, static_cast<size_t>(got));
  }
  CloseFd(report[0]);
  int exec_errno = 0;
  for (size_t i = 0; i + 5 <= data.size(); i += 5) {
    int32_t v = 0;
    std::memcpy(&v, data.data() + i + 1, sizeof(v));
    const std::string err = std::strerror(v);
    switch (data[i]) {
      case 'P':
        r.pid = v;
        break;
      case 'F':
        r.error = "fork: " + err;
        break;
      case 'E':
        exec_errno = v;
        break;
      case 'G':
        r.error = "cannot set the supplementary groups: " + err;
        break;
      case 'g':
        r.error = "cannot set gid " + std::to_string(as->egid) + ": " + err;
        break;
      case 'u':
        r.error = "cannot set uid " + std::to_string(as->euid) + ": " + err;
        break;
      case 'c':
        r.error = "cannot change to the directory " + as->cwd + ": " + err;
        break;
      default:
        break;
    }
  }
  if (!r.error.empty()) r.pid = 0;
  if (exec_errno != 0) {
    r.error = "cannot run " + path + ": " + std::strerror(exec_errno);
    r.pid = 0;
  }
  r.ok = r.error.empty() && r.pid > 0;
  if (!r.ok && r.error.empty()) r.error = "cannot run " + path + ": no report from the child";
  return r;
}

}  // namespace chaosrun::drivers::process
