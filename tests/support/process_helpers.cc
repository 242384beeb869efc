#include "support/process_helpers.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace chaosrun::testing {

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
