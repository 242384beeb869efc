// The proxy's event loop (loop.h): posted tasks, busy polling, edge-triggered descriptors,
// Defer and the lifetimes at ~Loop, with real descriptors and threads (timers: timer_test.cc).
// No assertion on wall time: a wait gives up (and fails) after a generous bound that a working
// loop never comes near.
#include "proxy/loop.h"

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

#include "loop_fixture.h"

namespace chaosrun::proxy {
namespace {

using namespace looptest;  // NOLINT: the shared helpers of these tests

// --- Posted tasks, Run and Stop ---

TEST(LoopTest, PostFromAnotherThreadWakesABlockedRunAndRunsOnTheLoopThread) {
  Loop loop;
  LoopThread runner(loop);
  // The first task proves Run() is going; after it the loop has nothing to do and sleeps in
  // epoll_wait with no timeout, so only Post's wake-up can get the second task run.
  for (int round = 0; round < 2; ++round) {
    std::promise<std::pair<std::thread::id, bool>> ran;
    std::future<std::pair<std::thread::id, bool>> result = ran.get_future();
    loop.Post([&] { ran.set_value({std::this_thread::get_id(), loop.InLoopThread()}); });
    ASSERT_EQ(result.wait_for(kLoopGiveUp), std::future_status::ready) << "round " << round;
    auto [thread, in_loop_thread] = result.get();
    EXPECT_EQ(thread, runner.id());
    EXPECT_TRUE(in_loop_thread);
  }
  EXPECT_FALSE(loop.InLoopThread());  // this thread is not the one running the loop
  EXPECT_TRUE(runner.StopAndWait());
  EXPECT_TRUE(loop.stopped());
}

TEST(LoopTest, StopFromAnotherThreadMakesAnIdleRunReturn) {
  Loop loop;
  LoopThread runner(loop);
  std::promise<void> started;
  std::future<void> started_f = started.get_future();
  loop.Post([&] { started.set_value(); });
  ASSERT_TRUE(Ready(started_f));
  EXPECT_FALSE(loop.stopped());
  EXPECT_TRUE(runner.StopAndWait());
}

TEST(LoopTest, PostsFromTwoThreadsRunExactlyOnceInOrderPerThread) {
  constexpr int kPerThread = 20000;
  Loop loop;
  LoopThread runner(loop);
  std::vector<std::pair<int, int>> ran;  // (poster, sequence); touched on the loop thread only
  int off_loop_thread = 0;
  std::vector<std::thread> posters;
  for (int poster = 0; poster < 2; ++poster) {
    posters.emplace_back([&, poster] {
      for (int seq = 0; seq < kPerThread; ++seq) {
        loop.Post([&, poster, seq] {
          ran.emplace_back(poster, seq);
          if (!loop.InLoopThread()) ++off_loop_thread;
        });
      }
    });
  }
  for (std::thread& t : posters) t.join();
  std::promise<void> drained;
  std::future<void> drained_f = drained.get_future();
  loop.Post([&] { drained.set_value(); });  // after every task above
  ASSERT_TRUE(Ready(drained_f));
  ASSERT_TRUE(runner.StopAndWait());

  ASSERT_EQ(ran.size(), 2u * kPerThread);
  EXPECT_EQ(off_loop_thread, 0);
  int next[2] = {0, 0};
  for (auto [poster, seq] : ran) {
    ASSERT_EQ(seq, next[poster]) << "poster " << poster;
    ++next[poster];
  }
  EXPECT_EQ(next[0], kPerThread);
  EXPECT_EQ(next[1], kPerThread);
}

TEST(LoopTest, ATaskPostedFromATaskRunsOnTheNextTurn) {
  Loop loop;
  std::vector<std::string> ran;
  loop.Post([&] {
    ran.push_back("outer");
    EXPECT_TRUE(loop.InLoopThread());
    loop.Post([&] { ran.push_back("inner"); });
  });
  EXPECT_EQ(loop.RunOnce(), 1u);
  EXPECT_EQ(ran, std::vector<std::string>{"outer"});
  EXPECT_EQ(loop.RunOnce(), 1u);
  EXPECT_EQ(ran, (std::vector<std::string>{"outer", "inner"}));
  EXPECT_EQ(loop.RunOnce(), 0u);
}

TEST(LoopTest, BusyPollRunStillRunsPostedTasksAndStops) {
  Loop loop;
  LoopThread runner(loop, std::chrono::microseconds(50));
  int ran = 0;  // loop thread only
  for (int round = 0; round < 50; ++round) {
    std::promise<int> done;
    std::future<int> done_f = done.get_future();
    // Two posts back to back: the second usually lands while the loop is polling.
    loop.Post([&] { ++ran; });
    loop.Post([&] { done.set_value(++ran); });
    ASSERT_EQ(done_f.wait_for(kLoopGiveUp), std::future_status::ready) << "round " << round;
    EXPECT_EQ(done_f.get(), 2 * (round + 1));
  }
  EXPECT_TRUE(runner.StopAndWait());
}

// A busy-polling loop keeps polling after a posted task (not only after a ready descriptor):
// the task may have written something whose answer is what the polling window is for.
TEST(LoopTest, BusyPollKeepsPollingAfterAPostedTask) {
  Loop loop;
  LoopThread runner(loop, std::chrono::milliseconds(500));
  std::promise<pid_t> tid;
  std::future<pid_t> tid_f = tid.get_future();
  loop.Post([&] { tid.set_value(static_cast<pid_t>(::gettid())); });
  ASSERT_EQ(tid_f.wait_for(kLoopGiveUp), std::future_status::ready);
  pid_t loop_tid = tid_f.get();
  // Once its window has passed the loop sleeps in epoll_wait; a task posted now wakes it.
  ASSERT_TRUE(EventuallyAsleep(loop_tid));
  std::promise<void> ran;
  std::future<void> ran_f = ran.get_future();
  loop.Post([&] { ran.set_value(); });
  ASSERT_EQ(ran_f.wait_for(kLoopGiveUp), std::future_status::ready);
  // Polling, the thread is always running or runnable; asleep, only in the first instants after
  // the task (on its way to epoll_wait).
  EXPECT_GT(RunningSamples(loop_tid, 200), 100) << "the loop went to sleep after the task";
  EXPECT_TRUE(runner.StopAndWait());
}

// The same after a timer fired while the loop slept (a latency toxic's release).
TEST(LoopTest, BusyPollKeepsPollingAfterATimer) {
  Loop loop;
  Timer timer(loop);
  std::promise<pid_t> tid;
  std::future<pid_t> tid_f = tid.get_future();
  // Armed before the loop runs: it first sleeps in epoll_wait, then the timerfd wakes it.
  timer.Arm(LoopClock::now() + std::chrono::milliseconds(20),
            [&] { tid.set_value(static_cast<pid_t>(::gettid())); });
  LoopThread runner(loop, std::chrono::seconds(30));
  ASSERT_EQ(tid_f.wait_for(kLoopGiveUp), std::future_status::ready);
  EXPECT_GT(RunningSamples(tid_f.get(), 200), 100) << "the loop went to sleep after the timer";
  EXPECT_TRUE(runner.StopAndWait());
}

// --- Descriptors ---

TEST(LoopTest, EdgeTriggeredHandlerIsCalledOncePerNewWriteAndNotAfterRemove) {
  Loop loop;
  LoopSocketPair sockets;
  RecordingPollable handler;
  ASSERT_TRUE(loop.Add(sockets.a(), kEdgeIn, &handler).ok());
  EXPECT_EQ(loop.RunOnce(), 0u);
  EXPECT_TRUE(handler.calls.empty());

  for (size_t write = 1; write <= 3; ++write) {
    sockets.WriteToA();
    EXPECT_EQ(loop.RunOnce(kLoopGiveUp), 1u);
    ASSERT_EQ(handler.calls.size(), write);
    EXPECT_EQ(handler.calls.back(), static_cast<uint32_t>(EPOLLIN));
    // The bytes stay unread, but edge-triggered: no new call without a new write.
    EXPECT_EQ(loop.RunOnce(), 0u);
    EXPECT_EQ(handler.calls.size(), write);
  }

  loop.Remove(sockets.a());
  sockets.WriteToA();
  EXPECT_EQ(loop.RunOnce(std::chrono::milliseconds(20)), 0u);
  EXPECT_EQ(handler.calls.size(), 3u);
  loop.Remove(sockets.a());  // twice: harmless
}

TEST(LoopTest, PeerCloseReportsRdHupAndHup) {
  Loop loop;
  LoopSocketPair sockets;
  RecordingPollable handler;
  ASSERT_TRUE(loop.Add(sockets.a(), kEdgeIn, &handler).ok());
  sockets.CloseB();
  EXPECT_EQ(loop.RunOnce(kLoopGiveUp), 1u);
  ASSERT_EQ(handler.calls.size(), 1u);
  EXPECT_NE(handler.calls[0] & EPOLLRDHUP, 0u);
  EXPECT_NE(handler.calls[0] & EPOLLHUP, 0u);
  EXPECT_NE(handler.calls[0] & EPOLLIN, 0u);  // the end of stream is readable (read gives 0)
  loop.Remove(sockets.a());
}

TEST(LoopTest, ModifyChangesEventsAndHandlerAndErrorsAreStatuses) {
  Loop loop;
  LoopSocketPair sockets;
  RecordingPollable first, second;
  ASSERT_TRUE(loop.Add(sockets.a(), kEdgeIn, &first).ok());
  EXPECT_FALSE(loop.Add(sockets.a(), kEdgeIn, &first).ok());     // already registered
  EXPECT_FALSE(loop.Modify(sockets.b(), kEdgeIn, &first).ok());  // never registered
  EXPECT_FALSE(loop.Add(-1, kEdgeIn, &first).ok());

  // The socket is writable: EPOLLOUT is reported as soon as it is asked for, to the new handler.
  ASSERT_TRUE(loop.Modify(sockets.a(), EPOLLOUT | EPOLLET, &second).ok());
  EXPECT_EQ(loop.RunOnce(kLoopGiveUp), 1u);
  EXPECT_TRUE(first.calls.empty());
  ASSERT_EQ(second.calls.size(), 1u);
  EXPECT_EQ(second.calls[0], static_cast<uint32_t>(EPOLLOUT));
  loop.Remove(sockets.a());
}

// Registered for two descriptors. Its first event removes both and drops the only owning
// reference, deferring the destruction: the other descriptor's event, already returned by the
// same epoll_wait, must still find it alive.
class DroppingPollable final : public Pollable {
 public:
  DroppingPollable(Loop& loop, int fd1, int fd2, std::shared_ptr<DroppingPollable>* owner,
                   int* calls, bool* destroyed)
      : loop_(loop), fd1_(fd1), fd2_(fd2), owner_(owner), calls_(calls), destroyed_(destroyed) {}
  ~DroppingPollable() { *destroyed_ = true; }

  void OnReady(uint32_t) override {
    ++*calls_;
    EXPECT_FALSE(*destroyed_);  // (under ASan a freed handler is reported right here)
    if (*owner_ != nullptr) {
      loop_.Remove(fd1_);
      loop_.Remove(fd2_);
      loop_.Defer(std::move(*owner_));
      owner_->reset();
      EXPECT_FALSE(*destroyed_);
    }
  }

 private:
  Loop& loop_;
  int fd1_, fd2_;
  std::shared_ptr<DroppingPollable>* owner_;
  int* calls_;
  bool* destroyed_;
};

TEST(LoopTest, DeferKeepsARemovedHandlerAliveUntilTheEndOfTheTurn) {
  Loop loop;
  LoopSocketPair one, two;
  int calls = 0;
  bool destroyed = false;
  std::shared_ptr<DroppingPollable> owner;
  owner = std::make_shared<DroppingPollable>(loop, one.a(), two.a(), &owner, &calls, &destroyed);
  ASSERT_TRUE(loop.Add(one.a(), kEdgeIn, owner.get()).ok());
  ASSERT_TRUE(loop.Add(two.a(), kEdgeIn, owner.get()).ok());
  one.WriteToA();
  two.WriteToA();  // both ready before the turn: one epoll_wait returns both events
  EXPECT_EQ(loop.RunOnce(), 2u);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(destroyed);  // released at the end of that turn
  EXPECT_EQ(owner, nullptr);
  one.WriteToA();
  two.WriteToA();
  EXPECT_EQ(loop.RunOnce(std::chrono::milliseconds(20)), 0u);  // removed: no more calls
  EXPECT_EQ(calls, 2);
}

// --- Lifetimes at ~Loop ---

// A task whose destruction posts another task (like a connection whose destructor posts).
class PostsWhenDestroyed {
 public:
  PostsWhenDestroyed(Loop& loop, std::shared_ptr<int> token)
      : loop_(loop), token_(std::move(token)) {}
  ~PostsWhenDestroyed() {
    loop_.Post([token = std::move(token_)] {});
  }
  PostsWhenDestroyed(const PostsWhenDestroyed&) = delete;
  PostsWhenDestroyed& operator=(const PostsWhenDestroyed&) = delete;

 private:
  Loop& loop_;
  std::shared_ptr<int> token_;
};

TEST(LoopTest, DestroyingTheLoopReleasesQueuedTasksAndDeferredObjects) {
  auto remote = std::make_shared<int>(1);
  auto local = std::make_shared<int>(2);
  auto deferred = std::make_shared<int>(3);
  auto chained = std::make_shared<int>(4);
  std::weak_ptr<int> remote_w = remote, local_w = local, deferred_w = deferred, chained_w = chained;
  {
    Loop loop;
    // A task posted from a task waits in the loop's own queue.
    loop.Post(
        [&loop, outer = std::move(local)]() mutable { loop.Post([inner = std::move(outer)] {}); });
    EXPECT_EQ(loop.RunOnce(), 1u);
    // Posted from outside the loop thread, never run.
    loop.Post([remote = std::move(remote)] {});
    loop.Defer(std::move(deferred));
    auto poster = std::make_shared<PostsWhenDestroyed>(loop, std::move(chained));
    loop.Post([poster = std::move(poster)] {});
    EXPECT_FALSE(remote_w.expired());
    EXPECT_FALSE(local_w.expired());
    EXPECT_FALSE(deferred_w.expired());
    EXPECT_FALSE(chained_w.expired());
  }
  EXPECT_TRUE(remote_w.expired());
  EXPECT_TRUE(local_w.expired());
  EXPECT_TRUE(deferred_w.expired());
  EXPECT_TRUE(chained_w.expired());  // the task posted while the loop was being destroyed too
}

TEST(LoopTest, AnArmedTimerThatOutlivesItsLoopCanBeDestroyedAfterwards) {
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> token_w = token;
  auto loop = std::make_unique<Loop>();
  std::optional<Timer> timer(std::in_place, *loop);
  timer->Arm(LoopClock::now() + std::chrono::hours(1), [token = std::move(token)] {});
  loop.reset();
  EXPECT_FALSE(timer->armed());
  EXPECT_TRUE(token_w.expired());  // the loop released the callback
  timer.reset();                   // must not touch the destroyed loop (ASan)
}

// ~Loop releases an armed timer's callback that holds the last reference to the timer's owner:
// the callback must be moved out before it is destroyed, or the Timer (and the std::function
// being assigned) is destroyed in the middle of the assignment (a double free under ASan).
TEST(LoopTest, ATimerWhoseCallbackOwnsItsOwnerIsReleasedByTheLoopDestructor) {
  std::weak_ptr<TimerOwner> owner_w;
  {
    Loop loop;
    auto owner = MakeTimerOwner(loop);
    owner_w = owner;
    TimerOwner* raw = owner.get();
    raw->timer.Arm(LoopClock::now() + std::chrono::hours(1), [owner = std::move(owner)] {});
    EXPECT_FALSE(owner_w.expired());
  }
  EXPECT_TRUE(owner_w.expired());
}

}  // namespace
}  // namespace chaosrun::proxy
