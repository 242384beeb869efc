// SpareCpuGate (busy_poll.h): when an event loop may busy-poll, from the kernel's CPU pressure.
// The pressure source and the clock are injected: no sleeping, no reading of /proc here except
// in the one test of the system source, which only checks that what it reads parses.
#include "proxy/busy_poll.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <future>

#include "loop_fixture.h"
#include "proxy/loop.h"

namespace chaosrun::proxy {
namespace {

using namespace looptest;  // NOLINT: the shared helpers of the loop tests
using std::chrono::milliseconds;
using Clock = SpareCpuGate::Clock;

TEST(CpuPressureTest, ParsesTheTotalOfTheSomeLine) {
  EXPECT_EQ(ParseCpuPressureTotal("some avg10=2.56 avg60=2.42 avg300=5.68 total=14755515799\n"
                                  "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
            14755515799u);
  EXPECT_EQ(ParseCpuPressureTotal("some avg10=0.00 avg60=0.00 avg300=0.00 total=0"), 0u);
}

TEST(CpuPressureTest, RefusesWhatIsNotTheSomeLine) {
  EXPECT_EQ(ParseCpuPressureTotal(""), std::nullopt);
  EXPECT_EQ(ParseCpuPressureTotal("full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n"),
            std::nullopt);
  EXPECT_EQ(ParseCpuPressureTotal("some avg10=0.00 avg60=0.00 avg300=0.00\n"), std::nullopt);
  EXPECT_EQ(ParseCpuPressureTotal("some avg10=0.00 total=\n"), std::nullopt);
  EXPECT_EQ(ParseCpuPressureTotal("some avg10=0.00 total=x12\n"), std::nullopt);
  // The total of the "full" line must not be taken for the "some" one.
  EXPECT_EQ(ParseCpuPressureTotal("some avg10=0.00\nfull avg10=0.00 total=9\n"), std::nullopt);
}

// The machine's own file, where the kernel has one: what it reads must parse (a kernel without
// PSI, or booted with psi=0, has none; then the source says so and the gate never polls).
TEST(CpuPressureTest, SystemSourceReadsTheKernelsFileOrSaysThereIsNone) {
  SpareCpuGate::PressureSource source = SpareCpuGate::SystemSource();
  std::optional<uint64_t> first = source();
  if (::access("/proc/pressure/cpu", R_OK) != 0) {
    EXPECT_EQ(first, std::nullopt);
    GTEST_SKIP() << "no /proc/pressure/cpu here (kernel without PSI, or psi=0)";
  }
  ASSERT_TRUE(first.has_value());
  std::optional<uint64_t> second = source();  // read again from the same descriptor
  ASSERT_TRUE(second.has_value());
  EXPECT_GE(*second, *first);  // a cumulative counter
}

// A pressure source that hands out the totals it is given, one per call, and counts the calls.
struct ScriptedPressure {
  std::deque<std::optional<uint64_t>> totals;
  int calls = 0;
  SpareCpuGate::PressureSource Source() {
    return [this]() -> std::optional<uint64_t> {
      ++calls;
      if (totals.empty()) return std::nullopt;
      std::optional<uint64_t> t = totals.front();
      totals.pop_front();
      return t;
    };
  }
};

SpareCpuGate::Options TestOptions() {
  SpareCpuGate::Options o;
  o.interval = milliseconds(10);
  o.threshold = 0.2;
  o.min_backoff = milliseconds(20);
  o.max_backoff = milliseconds(80);
  o.idle_restart = std::chrono::hours(1);  // no fresh starts, except in the tests of them
  return o;
}

SpareCpuGate::Options IdleRestartOptions() {
  SpareCpuGate::Options o = TestOptions();
  o.idle_restart = milliseconds(20);
  return o;
}

TEST(SpareCpuGateTest, WithoutPressureInformationItNeverAllowsPolling) {
  ScriptedPressure p;  // no totals: the source cannot be read
  SpareCpuGate gate(p.Source(), TestOptions());
  Clock::time_point t{};
  EXPECT_FALSE(gate.Allow(t));
  EXPECT_FALSE(gate.Allow(t + milliseconds(100)));
  EXPECT_EQ(p.calls, 1) << "an unavailable source is not asked again";
}

TEST(SpareCpuGateTest, AllowsWhileNoTaskWaitsAndSamplesOncePerInterval) {
  ScriptedPressure p;
  // 10 ms intervals with 0, 1 and 1.9 ms of stall: all under 20 %.
  p.totals = {1000, 1000, 2000, 3900};
  SpareCpuGate gate(p.Source(), TestOptions());
  Clock::time_point t{};
  EXPECT_TRUE(gate.Allow(t));  // the first call takes the baseline and allows on trial
  EXPECT_TRUE(gate.Allow(t + milliseconds(3)));
  EXPECT_TRUE(gate.Allow(t + milliseconds(9)));
  EXPECT_EQ(p.calls, 1) << "no sample before an interval has passed";
  EXPECT_TRUE(gate.Allow(t + milliseconds(10)));
  EXPECT_TRUE(gate.Allow(t + milliseconds(20)));
  EXPECT_TRUE(gate.Allow(t + milliseconds(30)));
  EXPECT_EQ(p.calls, 4);
}

TEST(SpareCpuGateTest, StopsWhenPollingMakesTasksWaitAndBacksOffLongerEachTime) {
  ScriptedPressure p;
  SpareCpuGate gate(p.Source(), TestOptions());
  Clock::time_point t{};
  uint64_t total = 0;
  p.totals = {total};
  ASSERT_TRUE(gate.Allow(t));  // on trial
  // While it polled, tasks waited 5 of 10 ms: blocked for the minimum back-off (20 ms).
  p.totals = {total += 5000};
  t += milliseconds(10);
  EXPECT_FALSE(gate.Allow(t));
  EXPECT_FALSE(gate.Allow(t + milliseconds(19)));
  EXPECT_EQ(p.calls, 2) << "not sampled while blocked";
  // After the back-off the sample covers the time without polling: no stall, allowed on trial.
  p.totals = {total += 0};
  t += milliseconds(20);
  EXPECT_TRUE(gate.Allow(t));
  // Harmful again: blocked twice as long (40 ms), then 80 ms, then no longer than the maximum.
  for (milliseconds expected : {milliseconds(40), milliseconds(80), milliseconds(80)}) {
    p.totals = {total += 4000};
    t += milliseconds(10);
    EXPECT_FALSE(gate.Allow(t));
    EXPECT_FALSE(gate.Allow(t + expected - milliseconds(1)));
    p.totals = {total += 0};
    t += expected;
    EXPECT_TRUE(gate.Allow(t)) << "after " << expected.count() << " ms";
  }
}

TEST(SpareCpuGateTest, AnIntervalOfHarmlessPollingResetsTheBackOff) {
  ScriptedPressure p;
  SpareCpuGate gate(p.Source(), TestOptions());
  Clock::time_point t{};
  uint64_t total = 0;
  p.totals = {total};
  ASSERT_TRUE(gate.Allow(t));
  p.totals = {total += 3000};  // harmful: blocked 20 ms, next back-off 40 ms
  EXPECT_FALSE(gate.Allow(t += milliseconds(10)));
  p.totals = {total};
  EXPECT_TRUE(gate.Allow(t += milliseconds(20)));  // on trial
  p.totals = {total += 100};                       // 1 % of the interval: harmless
  EXPECT_TRUE(gate.Allow(t += milliseconds(10)));
  EXPECT_EQ(gate.backoff(), milliseconds(20));
  p.totals = {total += 3000};  // harmful again: back to the minimum back-off, not 40 ms
  EXPECT_FALSE(gate.Allow(t += milliseconds(10)));
  p.totals = {total};
  EXPECT_TRUE(gate.Allow(t + milliseconds(20)));
}

// Pressure that other tasks cause while the loop is not polling blocks polling, but does not
// lengthen the back-off: that is reserved for polling found harmful.
TEST(SpareCpuGateTest, PressureFromOthersBlocksWithoutLengtheningTheBackOff) {
  ScriptedPressure p;
  SpareCpuGate gate(p.Source(), TestOptions());
  Clock::time_point t{};
  uint64_t total = 0;
  p.totals = {total};
  ASSERT_TRUE(gate.Allow(t));
  p.totals = {total += 9000};
  EXPECT_FALSE(gate.Allow(t += milliseconds(10)));  // polling harmful: 20 ms, next 40
  ASSERT_EQ(gate.backoff(), milliseconds(40));
  p.totals = {total += 10000};  // the 20 ms blocked: others kept a task waiting half the time
  EXPECT_FALSE(gate.Allow(t += milliseconds(20)));
  EXPECT_EQ(gate.backoff(), milliseconds(40));
  EXPECT_FALSE(gate.Allow(t + milliseconds(39)));
  p.totals = {total};
  EXPECT_TRUE(gate.Allow(t + milliseconds(40)));
}

// Stall counted while the loop had no work (another proxy polling, a build) is not held against
// the loop's polling: after more than `idle_restart` without a call the gate starts afresh.
TEST(SpareCpuGateTest, StallWhileTheLoopWasIdleIsNotHeldAgainstPolling) {
  ScriptedPressure p;
  SpareCpuGate gate(p.Source(), IdleRestartOptions());
  Clock::time_point t{};
  uint64_t total = 0;
  p.totals = {total};
  ASSERT_TRUE(gate.Allow(t));
  p.totals = {total += 90000};  // 90 of the next 100 ms, while the loop was idle
  t += milliseconds(100);
  EXPECT_TRUE(gate.Allow(t));  // a new baseline, on trial
  EXPECT_EQ(p.calls, 2);
  p.totals = {total += 500};  // its own interval of polling: 5 %, harmless
  EXPECT_TRUE(gate.Allow(t += milliseconds(10)));
  // Twenty milliseconds between calls is still the same busy stretch: judged, not forgiven.
  p.totals = {total += 8000};
  EXPECT_FALSE(gate.Allow(t += milliseconds(20)));
}

// But after polling did harm recently, a fresh start first watches an interval without polling:
// a loop that works in short bursts on a saturated machine must not poll on trial every time.
TEST(SpareCpuGateTest, AfterRecentHarmAFreshStartWatchesBeforeItPolls) {
  ScriptedPressure p;
  SpareCpuGate gate(p.Source(), IdleRestartOptions());
  Clock::time_point t{};
  uint64_t total = 0;
  p.totals = {total};
  ASSERT_TRUE(gate.Allow(t));
  p.totals = {total += 6000};  // harmful at 10 ms: blocked until 30 ms
  EXPECT_FALSE(gate.Allow(t += milliseconds(10)));
  p.totals = {total += 40000};  // idle until 60 ms, within max_backoff (80 ms) of the harm
  EXPECT_FALSE(gate.Allow(t += milliseconds(50)));
  p.totals = {total += 500};  // an interval watched without polling: harmless, so on trial
  EXPECT_TRUE(gate.Allow(t += milliseconds(10)));
  // Long after the harm a fresh start polls on trial at once again.
  p.totals = {total += 90000};
  EXPECT_TRUE(gate.Allow(t += milliseconds(200)));
}

TEST(SpareCpuGateTest, ACounterThatGoesBackIsNoPressureAndASourceThatFailsStopsPolling) {
  ScriptedPressure p;
  SpareCpuGate gate(p.Source(), TestOptions());
  Clock::time_point t{};
  p.totals = {5000};
  ASSERT_TRUE(gate.Allow(t));
  p.totals = {10};  // smaller than before (a reset): taken as no stall
  EXPECT_TRUE(gate.Allow(t += milliseconds(10)));
  p.totals = {std::nullopt};  // the file can no longer be read
  EXPECT_FALSE(gate.Allow(t += milliseconds(10)));
  EXPECT_FALSE(gate.Allow(t += milliseconds(1000)));
}

// The loop with a gate that refuses: after work it sleeps at once, whatever its window.
TEST(SpareCpuGateTest, LoopSleepsAfterWorkWhenTheGateRefuses) {
  uint64_t total = 0;
  SpareCpuGate::Options o = TestOptions();
  o.interval = std::chrono::nanoseconds::zero();  // a sample at every turn with work
  // Each sample reports more stall than time passed: polling always looks harmful.
  SpareCpuGate gate([&total] { return std::optional<uint64_t>(total += 1'000'000'000); }, o);
  Loop loop;
  LoopThread runner(loop, std::chrono::seconds(30), &gate);
  std::promise<pid_t> tid;
  std::future<pid_t> tid_f = tid.get_future();
  loop.Post([&] { tid.set_value(static_cast<pid_t>(::gettid())); });
  ASSERT_EQ(tid_f.wait_for(kLoopGiveUp), std::future_status::ready);
  pid_t loop_tid = tid_f.get();
  for (int round = 0; round < 3; ++round) {
    std::promise<void> ran;
    std::future<void> ran_f = ran.get_future();
    loop.Post([&] { ran.set_value(); });
    ASSERT_EQ(ran_f.wait_for(kLoopGiveUp), std::future_status::ready);
    // With a 30 s window and no gate it would stay running (see LoopTest.BusyPoll*).
    EXPECT_TRUE(EventuallyAsleep(loop_tid)) << "round " << round;
  }
  EXPECT_TRUE(runner.StopAndWait());
}

// And with a gate that allows, the loop polls after work like an ungated one.
TEST(SpareCpuGateTest, LoopPollsAfterWorkWhileTheGateAllows) {
  SpareCpuGate gate([] { return std::optional<uint64_t>(0); }, TestOptions());  // no stall
  Loop loop;
  LoopThread runner(loop, std::chrono::seconds(30), &gate);
  std::promise<pid_t> tid;
  std::future<pid_t> tid_f = tid.get_future();
  loop.Post([&] { tid.set_value(static_cast<pid_t>(::gettid())); });
  ASSERT_EQ(tid_f.wait_for(kLoopGiveUp), std::future_status::ready);
  EXPECT_GT(RunningSamples(tid_f.get(), 200), 100) << "the loop went to sleep after the task";
  EXPECT_TRUE(runner.StopAndWait());
}

}  // namespace
}  // namespace chaosrun::proxy
