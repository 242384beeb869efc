#include "common/cancel.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace chaosrun {
namespace internal {

struct CancelState {
  CancelState() : efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  ~CancelState() {
    if (efd >= 0) ::close(efd);
  }
  CancelState(const CancelState&) = delete;
  CancelState& operator=(const CancelState&) = delete;

  std::atomic<bool> flag{false};
  mutable std::mutex mu;
  std::condition_variable cv;
  std::string reason;
  int efd;
};

}  // namespace internal

CancelToken::CancelToken() = default;

bool CancelToken::cancelled() const { return state_ && state_->flag.load(); }

std::string CancelToken::reason() const {
  if (!state_) return {};
  std::lock_guard lock(state_->mu);
  return state_->reason;
}

int CancelToken::fd() const { return state_ ? state_->efd : -1; }

bool CancelToken::WaitUntil(std::chrono::steady_clock::time_point deadline) const {
  if (!state_) {
    std::mutex m;
    std::condition_variable cv;
    std::unique_lock lock(m);
    cv.wait_until(lock, deadline, [] { return false; });
    return false;
  }
  std::unique_lock lock(state_->mu);
  return state_->cv.wait_until(lock, deadline, [this] { return state_->flag.load(); });
}

CancelSource::CancelSource() : state_(std::make_shared<internal::CancelState>()) {}

void CancelSource::Cancel(const std::string& reason) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->flag.load()) return;
    state_->reason = reason;
    state_->flag.store(true);
  }
  state_->cv.notify_all();
  if (state_->efd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(state_->efd, &one, sizeof one);
  }
}

bool CancelSource::cancelled() const { return state_->flag.load(); }

}  // namespace chaosrun
