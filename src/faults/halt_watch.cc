#include "faults/halt_watch.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "common/log.h"
#include "common/no_throw.h"
#include "faults/fault_manager.h"

namespace chaosrun::faults {

namespace {
constexpr int kFallbackPollMs = 50;  // while the directory cannot be watched
}

HaltWatch::HaltWatch(std::string state_dir, Handler on_halt)
    : state_dir_(std::move(state_dir)), on_halt_(std::move(on_halt)) {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (stop_fd_ < 0) {
    log::Warn(
        "cannot watch the kill switch (eventfd failed); `chaosrun halt` is seen only when a "
        "fault is about to be applied");
    return;
  }
  thread_ = std::thread([this] { NoThrow("the kill-switch watcher", [this] { Loop(); }); });
}

HaltWatch::~HaltWatch() {
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

bool HaltWatch::Watch() {
  if (watch_ >= 0) return true;
  if (inotify_fd_ < 0) return false;
  // IN_ATTRIB: `touch` on an existing file; IN_CLOSE_WRITE/IN_CREATE/IN_MOVED_TO: a new file;
  // IN_DELETE_SELF/IN_MOVE_SELF: the directory went away (watch again when it is back).
  watch_ = ::inotify_add_watch(inotify_fd_, state_dir_.c_str(),
                               IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB |
                                   IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
  return watch_ >= 0;
}

void HaltWatch::Loop() {
  for (;;) {
    bool watched = Watch();
    // After the watch is in place, so that a halt file created in between is not missed.
    if (Halted(state_dir_)) {
      on_halt_("the kill switch is set (" + HaltFilePath(state_dir_) + ")");
      return;
    }
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    int n = ::poll(fds, watched ? 2 : 1, watched ? -1 : kFallbackPollMs);
    if (n < 0 && errno != EINTR) return;
    if ((fds[0].revents & POLLIN) != 0) return;
    if (watched && (fds[1].revents & POLLIN) != 0) {
      alignas(inotify_event) char buf[4096];
      ssize_t got;
      while ((got = ::read(inotify_fd_, buf, sizeof buf)) > 0) {
        for (char* p = buf; p < buf + got;) {
          auto* ev = reinterpret_cast<inotify_event*>(p);
          if ((ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
            if (watch_ >= 0) ::inotify_rm_watch(inotify_fd_, watch_);
            watch_ = -1;  // the directory is gone or moved: watch (or poll) again
          }
          p += sizeof(inotify_event) + ev->len;
        }
      }
    }
  }
}

}  // namespace chaosrun::faults
