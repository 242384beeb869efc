// The API server's task queue: cpp-httplib 0.11's TaskQueue with a bound on the connections that
// wait for a pool thread. 0.11's enqueue() cannot refuse a task (each task owns an accepted
// socket and closes it; dropping one would leak it), so a full queue makes enqueue() wait: the
// accept thread stops accepting, and further clients wait in the kernel's listen backlog instead
// of in an unbounded queue in the daemon's memory. Workers drain the queue before shutdown()
// returns, so every accepted socket is served and closed. Used by server.cc only (and its tests);
// header-only because it needs <httplib.h>, which chaosrun (the CLI) must not include.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace chaosrun::api {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  // `threads` workers; at most `max_waiting` tasks wait for one (at least 1).
  BoundedTaskQueue(size_t threads, size_t max_waiting)
      : max_waiting_(max_waiting == 0 ? 1 : max_waiting) {
    for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~BoundedTaskQueue() override { shutdown(); }
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;

  // Waits while max_waiting tasks are queued (never after shutdown: then it runs the task here,
  // so its socket is still closed).
  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return stopping_ || jobs_.size() < max_waiting_; });
    if (stopping_) {
      lock.unlock();
      fn();
      return;
    }
    jobs_.push_back(std::move(fn));
    work_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      if (stopping_ && workers_.empty()) return;
      stopping_ = true;
    }
    work_.notify_all();
    space_.notify_all();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
    workers_.clear();
  }

  size_t waiting() const {
    std::lock_guard lock(mu_);
    return jobs_.size();
  }

 private:
  void Work() {
    while (true) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        work_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      space_.notify_one();
      fn();
    }
  }

  const size_t max_waiting_;
  mutable std::mutex mu_;
  std::condition_variable work_;   // a job was queued, or stopping
  std::condition_variable space_;  // a job left the queue, or stopping
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace chaosrun::api
