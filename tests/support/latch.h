// A one-shot latch for cross-thread test choreography (no sleeping).
#pragma once

#include <condition_variable>
#include <mutex>

namespace chaosrun::testing {

class Latch {
 public:
  void Release() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  bool released() {
    std::lock_guard lock(mu_);
    return open_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace chaosrun::testing
