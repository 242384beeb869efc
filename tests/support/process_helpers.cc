#include "support/process_helpers.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

extern char** environ;

namespace chaosrun::testing {

pid_t SpawnWithFiles(const std::vector<std::string>& argv, const SpawnFiles& files,
                     std::string* error) {
  if (argv.empty()) {
    if (error != nullptr) *error = "no command";
    return -1;
  }
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> env_copy;
  std::vector<char*> cenv;
  if (files.env != nullptr) {
    env_copy = *files.env;
    for (auto& e : env_copy) cenv.push_back(e.data());
    cenv.push_back(nullptr);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!files.stdin_path.empty()) {
    posix_spawn_file_actions_addopen(&fa, 0, files.stdin_path.c_str(), O_RDONLY, 0);
  }
  auto redirect = [&](int fd, const std::string& path, bool append) {
    if (path.empty()) return;
    const int how = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
    posix_spawn_file_actions_addopen(&fa, fd, path.c_str(), how, files.mode);
  };
  redirect(1, files.stdout_path, files.append_stdout);
  if (files.stderr_to_stdout) {
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  } else {
    redirect(2, files.stderr_path, files.append_stderr);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  short flags = POSIX_SPAWN_SETSIGMASK;
  if (files.own_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, flags);
  pid_t pid = -1;
  char** envp = files.env != nullptr ? cenv.data() : environ;
  const int rc = args[0].find('/') == std::string::npos
                     ? ::posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), envp)
                     : ::posix_spawn(&pid, cargv[0], &fa, &attr, cargv.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (error != nullptr) *error = "cannot start " + args[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

int WaitForExit(pid_t pid) {
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (r != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunWithFiles(const std::vector<std::string>& argv, const SpawnFiles& files,
                 std::string* error) {
  const pid_t pid = SpawnWithFiles(argv, files, error);
  return pid == -1 ? -1 : WaitForExit(pid);
}

void BecomeChildSubreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    std::perror("prctl(PR_SET_CHILD_SUBREAPER)");
    std::abort();
  }
}

bool ReapAndCheckGroupGone(pid_t pgid) {
  for (;;) {
    int st = 0;
    const pid_t w = ::waitpid(-pgid, &st, 0);
    if (w > 0) continue;
    if (errno == EINTR) continue;
    break;  // ECHILD: none of our children is left in the group
  }
  return ::kill(-pgid, 0) == -1 && errno == ESRCH;
}

ScopedEngineSignalMask::ScopedEngineSignalMask() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  ::pthread_sigmask(SIG_BLOCK, &set, &old_);
}

ScopedEngineSignalMask::~ScopedEngineSignalMask() {
  ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

Fifo::Fifo(std::string path)
    : path_(std::move(path)), release_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (release_fd_ < 0 || ::mkfifo(path_.c_str(), 0600) != 0) {
    std::perror("Fifo");
    std::abort();
  }
}

Fifo::~Fifo() {
  ::unlink(path_.c_str());
  ::close(release_fd_);
}

std::string Fifo::ReadAll() {
  // Non-blocking open succeeds at once; Linux reports no POLLHUP on a FIFO that has not had a
  // writer since it was opened, so poll() waits for the child (or Release()).
  const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[256];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {release_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents == 0) break;  // released
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

void Fifo::Release() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(release_fd_, &one, sizeof one);
}

}  // namespace chaosrun::testing
