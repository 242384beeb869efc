// Helpers shared by the event-loop tests (loop_test.cc, timer_test.cc, busy_poll_test.cc): a
// loop run on its own thread, a socket pair, a recording handler, a timer owner, and samples of
// a thread's state (running or asleep). No assertion on wall time: a wait
// gives up (and fails) after a generous bound that a working loop never comes near.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "proxy/loop.h"

namespace chaosrun::proxy::looptest {

// How long a test waits for something a working loop does at once before it gives up.
inline constexpr std::chrono::seconds kLoopGiveUp{10};

// Runs RunOnce on this thread until `done()` holds; false if it still does not after kLoopGiveUp.
template <typename Pred>
bool RunLoopUntil(Loop& loop, Pred done) {
  LoopClock::time_point give_up = LoopClock::now() + kLoopGiveUp;
  while (!done()) {
    if (LoopClock::now() > give_up) return false;
    (void)loop.RunOnce(std::chrono::milliseconds(50));
  }
  return true;
}

inline bool Ready(std::future<void>& f) {
  return f.wait_for(kLoopGiveUp) == std::future_status::ready;
}

// How many of `samples` reads of the thread's state in /proc say it is running or runnable ('R')
// rather than asleep: a busy-polling loop is 'R', one blocked in epoll_wait is 'S'.
inline int RunningSamples(pid_t tid, int samples) {
  int running = 0;
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
  for (int i = 0; i < samples; ++i) {
    std::ifstream in(path);
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t close = stat.rfind(')');  // the state follows the command name: "pid (comm) S ..."
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'R') {
      ++running;
    }
    std::this_thread::yield();
  }
  return running;
}

// Whether the thread is asleep ('S'), polled until it is or kLoopGiveUp passes.
inline bool EventuallyAsleep(pid_t tid) {
  auto give_up = std::chrono::steady_clock::now() + kLoopGiveUp;
  while (std::chrono::steady_clock::now() < give_up) {
    if (RunningSamples(tid, 1) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Runs loop.Run(busy_poll, gate) on a thread of its own; stops and joins it on destruction.
class LoopThread {
 public:
  explicit LoopThread(Loop& loop, std::chrono::nanoseconds busy_poll = {},
                      SpareCpuGate* gate = nullptr)
      : loop_(loop) {
    returned_ = returned_promise_.get_future();
    thread_ = std::thread([this, busy_poll, gate] {
      loop_.Run(busy_poll, gate);
      returned_promise_.set_value();
    });
  }
  ~LoopThread() {
    loop_.Stop();
    thread_.join();
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  std::thread::id id() const { return thread_.get_id(); }
  // Stop() from this thread; true once Run() has returned (false: it did not in kLoopGiveUp).
  bool StopAndWait() {
    loop_.Stop();
    return Ready(returned_);
  }

 private:
  Loop& loop_;
  std::promise<void> returned_promise_;
  std::future<void> returned_;
  std::thread thread_;
};

// A connected pair of non-blocking AF_UNIX stream sockets, closed on destruction.
class LoopSocketPair {
 public:
  LoopSocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    a_ = fds[0];
    b_ = fds[1];
  }
  ~LoopSocketPair() {
    CloseB();
    if (a_ >= 0) ::close(a_);
  }
  LoopSocketPair(const LoopSocketPair&) = delete;
  LoopSocketPair& operator=(const LoopSocketPair&) = delete;

  int a() const { return a_; }
  int b() const { return b_; }
  void CloseB() {
    if (b_ >= 0) ::close(b_);
    b_ = -1;
  }
  // Writes one byte into b, to be read from a.
  void WriteToA() const { ASSERT_EQ(::write(b_, "x", 1), 1); }

 private:
  int a_ = -1;
  int b_ = -1;
};

// Records the event masks it is called with.
class RecordingPollable final : public Pollable {
 public:
  void OnReady(uint32_t events) override { calls.push_back(events); }
  std::vector<uint32_t> calls;
};

inline constexpr uint32_t kEdgeIn = EPOLLIN | EPOLLRDHUP | EPOLLET;

// An object that owns a timer whose callback owns the object: the usual
// `timer_.Arm(at, [self = shared_from_this()] { ... })`.
struct TimerOwner {
  explicit TimerOwner(Loop& loop) : timer(loop) {}
  Timer timer;
};

// Allocated apart from its control block (not make_shared): a use after destruction is then a
// use after free for ASan even while a weak_ptr still watches the owner.
inline std::shared_ptr<TimerOwner> MakeTimerOwner(Loop& loop) {
  return std::shared_ptr<TimerOwner>(new TimerOwner(loop));
}

}  // namespace chaosrun::proxy::looptest
