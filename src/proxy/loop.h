// The fault proxy's event loop: one epoll instance per thread, edge-triggered descriptors
// registered once, timers, and tasks posted from other threads.
//
// Why not Boost.Asio's io_context: its 1.74 reactor re-arms a descriptor with epoll_ctl on
// every async_wait (EPOLL_CTL_MOD), one extra system call per read and direction, about 5 % of
// the proxy's cycles; its scheduler also locks a mutex and allocates an operation per wait.
// Here a connection's two sockets are added once (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) and
// the loop calls the handler straight from epoll_wait's result.
//
// Threading: Run() runs on one thread (the loop thread). Post(), Stop() and Add/Modify/Remove
// (epoll_ctl is thread-safe; a handler may be called as soon as Add returns) may be called from
// any thread; timers and Defer only on the loop thread, or on any thread while the loop is not
// running (before Run, after it returned).
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "common/status.h"

namespace chaosrun::proxy {

using LoopClock = std::chrono::steady_clock;  // CLOCK_MONOTONIC, like epoll's timeout

class Loop;
class SpareCpuGate;

// Something registered with a loop: called with the epoll event mask (EPOLLIN, EPOLLOUT,
// EPOLLERR, EPOLLHUP, EPOLLRDHUP) on the loop thread.
class Pollable {
 public:
  virtual void OnReady(uint32_t events) = 0;

 protected:
  ~Pollable() = default;
};

// A one-shot timer on a loop. Arm, re-arm and cancel on the loop thread; the callback runs
// there. Destroying an armed timer cancels it.
class Timer {
 public:
  explicit Timer(Loop& loop) : loop_(&loop) {}
  ~Timer() { Cancel(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Fires `fn` once at `at` (at once, on the next turn, if `at` has passed). Re-arming replaces
  // the previous expiry and callback.
  void Arm(LoopClock::time_point at, std::function<void()> fn);
  void Cancel();
  bool armed() const { return armed_; }
  LoopClock::time_point expiry() const { return at_; }
  Loop& loop() const { return *loop_; }

 private:
  friend class Loop;
  Loop* loop_;
  LoopClock::time_point at_{};
  uint64_t seq_ = 0;
  bool armed_ = false;
  std::function<void()> fn_;
};

class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Registers `fd` for `events` (EPOLLET for edge-triggered). `p` must stay valid until
  // Remove(fd) and the end of the current turn (see Defer).
  Status Add(int fd, uint32_t events, Pollable* p);
  Status Modify(int fd, uint32_t events, Pollable* p);
  void Remove(int fd);

  // Runs `fn` on the loop thread, after the current handler returns. Any thread.
  void Post(std::function<void()> fn);
  // Keeps `object` alive until the loop has dispatched every event of the current turn: an
  // event already returned by epoll_wait may still name a handler that was just removed.
  void Defer(std::shared_ptr<void> object) { graveyard_.push_back(std::move(object)); }

  // Runs until Stop(). After a turn that did work the loop keeps polling without sleeping for
  // up to `busy_poll` (0: sleep at once when there is nothing to do); with a `gate`, only while
  // the gate allows it (busy_poll.h: while the machine has a CPU to spare). The gate is used on
  // the loop thread only and must outlive Run.
  void Run(std::chrono::nanoseconds busy_poll = std::chrono::nanoseconds::zero(),
           SpareCpuGate* gate = nullptr);
  // Runs what is ready now (posted tasks, due timers, ready descriptors) without sleeping;
  // returns how many handlers, tasks and timers ran. For tests and embedders with a loop of
  // their own.
  size_t RunOnce(std::chrono::nanoseconds timeout = std::chrono::nanoseconds::zero());
  // Makes Run() return after its current turn. Any thread.
  void Stop();
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  // True on the thread that is running this loop.
  bool InLoopThread() const {
    return running_thread_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }

 private:
  friend class Timer;
  using TimerKey = std::tuple<LoopClock::time_point, uint64_t, Timer*>;

  // One turn: posted tasks, due timers, then epoll_wait for `timeout` (nullopt: until an event
  // or timer) and the handlers of what it returned.
  // `poll_after_work`: do not block in a turn whose tasks or timers did work (busy polling).
  size_t Turn(std::optional<std::chrono::nanoseconds> timeout, bool poll_after_work = false);
  size_t RunTasks();
  size_t RunTimers();
  void SyncTimerFd();
  // Disarms every timer without running it, then releases the callbacks (~Loop).
  void DisarmTimers();  // arms the timerfd for the earliest timer if it is not armed earlier
  void Wake();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;   // eventfd: Post() and Stop() from other threads
  int timer_fd_ = -1;  // absolute CLOCK_MONOTONIC expiry of the earliest timer
  bool timer_fd_armed_ = false;
  LoopClock::time_point timer_fd_at_{};
  std::atomic<bool> stopped_{false};
  // Only compared with the caller's own id: a relaxed atomic is enough (no data race).
  std::atomic<std::thread::id> running_thread_{};

  std::mutex mu_;  // guards remote_
  std::vector<std::function<void()>> remote_;
  std::atomic<bool> wake_pending_{false};
  std::vector<std::function<void()>> local_, running_;

  std::set<TimerKey> timers_;
  std::vector<TimerKey> due_;  // RunTimers' scratch list
  uint64_t timer_seq_ = 0;
  std::vector<std::shared_ptr<void>> graveyard_;
};

}  // namespace chaosrun::proxy
