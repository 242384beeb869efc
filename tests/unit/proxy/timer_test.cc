// The proxy's event-loop timers (loop.h: Timer): order, cancel, re-arm, and the lifetimes of
// their callbacks. No assertion on wall time: a timer is made due by arming it in the past.
#include "loop_fixture.h"

namespace chaosrun::proxy {
namespace {

using namespace looptest;  // NOLINT: the shared helpers of these tests

// --- Timers ---

TEST(TimerTest, DueTimersFireInExpiryOrderThenArmOrderOnTheNextTurn) {
  Loop loop;
  LoopClock::time_point now = LoopClock::now();
  std::vector<std::string> fired;
  Timer t2(loop), t3(loop), t1(loop), t1b(loop);
  t2.Arm(now - std::chrono::milliseconds(2), [&] { fired.push_back("t2"); });
  t3.Arm(now - std::chrono::milliseconds(1), [&] { fired.push_back("t3"); });
  t1.Arm(now - std::chrono::milliseconds(3), [&] { fired.push_back("t1"); });
  t1b.Arm(now - std::chrono::milliseconds(3), [&] { fired.push_back("t1b"); });  // same expiry
  EXPECT_TRUE(fired.empty());  // nothing runs outside a turn
  EXPECT_EQ(loop.RunOnce(), 4u);
  EXPECT_EQ(fired, (std::vector<std::string>{"t1", "t1b", "t2", "t3"}));
  EXPECT_FALSE(t1.armed());
  EXPECT_FALSE(t3.armed());
  EXPECT_EQ(loop.RunOnce(), 0u);  // one-shot
  EXPECT_EQ(fired.size(), 4u);
}

TEST(TimerTest, FutureTimersFireInExpiryOrder) {
  Loop loop;
  LoopClock::time_point now = LoopClock::now();
  std::vector<int> fired;
  Timer late(loop), early(loop), middle(loop);
  late.Arm(now + std::chrono::milliseconds(30), [&] { fired.push_back(3); });
  early.Arm(now + std::chrono::milliseconds(10), [&] { fired.push_back(1); });
  middle.Arm(now + std::chrono::milliseconds(20), [&] { fired.push_back(2); });
  ASSERT_TRUE(RunLoopUntil(loop, [&] { return fired.size() == 3; }));
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
}

TEST(TimerTest, ATimerWakesABlockedRunOnTheLoopThread) {
  Loop loop;
  Timer timer(loop);
  std::promise<bool> fired;
  std::future<bool> fired_f = fired.get_future();
  LoopThread runner(loop);
  // Armed on the loop thread; then Run() sleeps in epoll_wait with no timeout until the timerfd.
  loop.Post([&] {
    timer.Arm(LoopClock::now() + std::chrono::milliseconds(5),
              [&] { fired.set_value(loop.InLoopThread()); });
  });
  ASSERT_EQ(fired_f.wait_for(kLoopGiveUp), std::future_status::ready);
  EXPECT_TRUE(fired_f.get());
  EXPECT_TRUE(runner.StopAndWait());
}

TEST(TimerTest, CancelPreventsFiringAndReleasesTheCallback) {
  Loop loop;
  auto token = std::make_shared<int>(0);
  bool fired = false;
  Timer timer(loop);
  timer.Arm(LoopClock::now() - std::chrono::seconds(1), [&fired, token] { fired = true; });
  EXPECT_TRUE(timer.armed());
  EXPECT_EQ(token.use_count(), 2);
  timer.Cancel();
  EXPECT_FALSE(timer.armed());
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_EQ(loop.RunOnce(), 0u);
  EXPECT_FALSE(fired);
  timer.Cancel();  // not armed: nothing to do
  EXPECT_FALSE(timer.armed());
}

TEST(TimerTest, ACancelInsideAnEarlierCallbackOfTheSameTurnPreventsFiring) {
  Loop loop;
  LoopClock::time_point now = LoopClock::now();
  std::vector<int> fired;
  Timer first(loop), second(loop);
  first.Arm(now - std::chrono::seconds(2), [&] {
    fired.push_back(1);
    second.Cancel();
  });
  second.Arm(now - std::chrono::seconds(1), [&] { fired.push_back(2); });
  EXPECT_EQ(loop.RunOnce(), 1u);
  EXPECT_EQ(fired, std::vector<int>{1});
  EXPECT_FALSE(second.armed());
}

TEST(TimerTest, CancelMayReleaseTheLastReferenceToTheTimersOwner) {
  Loop loop;
  auto owner = MakeTimerOwner(loop);
  std::weak_ptr<TimerOwner> owner_w = owner;
  TimerOwner* raw = owner.get();
  raw->timer.Arm(LoopClock::now() + std::chrono::hours(1), [owner = std::move(owner)] {});
  raw->timer.Cancel();  // destroys the owner, and the timer, on its way out (ASan)
  EXPECT_TRUE(owner_w.expired());
  EXPECT_EQ(loop.RunOnce(), 0u);
}

TEST(TimerTest, ACallbackMayReleaseTheLastReferenceToItsOwner) {
  Loop loop;
  auto owner = MakeTimerOwner(loop);
  std::weak_ptr<TimerOwner> owner_w = owner;
  int fired = 0;
  TimerOwner* raw = owner.get();
  raw->timer.Arm(LoopClock::now() - std::chrono::seconds(1),
                 [&fired, owner = std::move(owner)] { ++fired; });
  EXPECT_EQ(loop.RunOnce(), 1u);
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(owner_w.expired());  // released with the callback, after it ran
}

TEST(TimerTest, ReArmReplacesTheExpiryAndTheCallback) {
  Loop loop;
  auto old_token = std::make_shared<int>(0);
  std::vector<std::string> fired;
  Timer timer(loop);
  LoopClock::time_point later = LoopClock::now() + std::chrono::hours(1);
  timer.Arm(later, [&fired, old_token] { fired.push_back("old"); });
  EXPECT_EQ(timer.expiry(), later);
  LoopClock::time_point past = LoopClock::now() - std::chrono::seconds(1);
  timer.Arm(past, [&] { fired.push_back("new"); });
  EXPECT_EQ(timer.expiry(), past);
  EXPECT_EQ(old_token.use_count(), 1);  // the replaced callback is gone
  EXPECT_EQ(loop.RunOnce(), 1u);
  EXPECT_EQ(fired, std::vector<std::string>{"new"});
  EXPECT_EQ(loop.RunOnce(), 0u);  // replaced, not added: fires once
  EXPECT_EQ(fired.size(), 1u);

  // And the other way: a due timer pushed into the future does not fire now.
  timer.Arm(past, [&] { fired.push_back("due"); });
  timer.Arm(later, [&] { fired.push_back("later"); });
  EXPECT_EQ(loop.RunOnce(), 0u);
  EXPECT_EQ(fired.size(), 1u);
  EXPECT_TRUE(timer.armed());
  EXPECT_EQ(timer.expiry(), later);
}

// Re-arming releases the replaced callback last: when it held the last reference to the timer's
// owner, the rest of Arm must not write to the destroyed Timer nor insert it into the loop's
// timer set (a use-after-free under ASan).
TEST(TimerTest, ReArmMayReleaseTheLastReferenceToTheTimersOwner) {
  Loop loop;
  auto owner = MakeTimerOwner(loop);
  std::weak_ptr<TimerOwner> owner_w = owner;
  TimerOwner* raw = owner.get();
  bool fired = false;
  raw->timer.Arm(LoopClock::now() + std::chrono::hours(1), [owner = std::move(owner)] {});
  // Replaced by a callback that does not own it: the owner (and its timer) goes away.
  raw->timer.Arm(LoopClock::now() - std::chrono::seconds(1), [&fired] { fired = true; });
  EXPECT_TRUE(owner_w.expired());
  EXPECT_EQ(loop.RunOnce(), 0u);  // the destroyed timer is not in the loop any more
  EXPECT_FALSE(fired);
}

TEST(TimerTest, DestroyingAnArmedTimerCancelsIt) {
  Loop loop;
  auto token = std::make_shared<int>(0);
  bool fired = false;
  {
    Timer timer(loop);
    timer.Arm(LoopClock::now() - std::chrono::seconds(1), [&fired, token] { fired = true; });
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_EQ(loop.RunOnce(), 0u);  // (a timer left in the loop would be a freed one: ASan)
  EXPECT_FALSE(fired);
}

TEST(TimerTest, ACallbackMayReArmItsOwnTimerWhichFiresOnTheNextTurn) {
  Loop loop;
  Timer timer(loop);
  int fired = 0;
  std::function<void()> tick = [&] {
    ++fired;
    if (fired < 3) timer.Arm(LoopClock::now() - std::chrono::seconds(1), tick);
  };
  timer.Arm(LoopClock::now() - std::chrono::seconds(1), tick);
  for (int turn = 1; turn <= 3; ++turn) {
    (void)loop.RunOnce();
    EXPECT_EQ(fired, turn);  // once per turn although always due
  }
  EXPECT_FALSE(timer.armed());
  (void)loop.RunOnce();
  EXPECT_EQ(fired, 3);
}

TEST(TimerTest, ATimerArmedInACallbackForAPassedTimeRunsOnTheNextTurn) {
  Loop loop;
  std::vector<std::string> fired;
  Timer first(loop), second(loop);
  first.Arm(LoopClock::now() - std::chrono::seconds(1), [&] {
    fired.push_back("first");
    second.Arm(LoopClock::now() - std::chrono::hours(1), [&] { fired.push_back("second"); });
  });
  (void)loop.RunOnce();
  EXPECT_EQ(fired, std::vector<std::string>{"first"});
  EXPECT_TRUE(second.armed());
  (void)loop.RunOnce();
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second"}));
  EXPECT_FALSE(second.armed());
}

// A timer armed during a turn for an earlier time sorts first, but must not postpone the timers
// that were already due when the turn began.
TEST(TimerTest, ATimerArmedInACallbackDoesNotPostponeOtherDueTimers) {
  Loop loop;
  LoopClock::time_point now = LoopClock::now();
  std::vector<std::string> fired;
  Timer first(loop), second(loop), armed_late(loop);
  first.Arm(now - std::chrono::seconds(2), [&] {
    fired.push_back("first");
    armed_late.Arm(now - std::chrono::hours(1), [&] { fired.push_back("armed_late"); });
  });
  second.Arm(now - std::chrono::seconds(1), [&] { fired.push_back("second"); });
  (void)loop.RunOnce();
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second"}));
  (void)loop.RunOnce();
  EXPECT_EQ(fired.back(), "armed_late");
  EXPECT_EQ(fired.size(), 3u);
}

}  // namespace
}  // namespace chaosrun::proxy
