// The scheduler's rules through Daemon::Tick at explicit times (and once through its thread on a
// manual FakeClock). Runs come from TestExecutor (test_executor.h says why).
#include <gtest/gtest.h>

#include "unit/daemon/daemon_fixture.h"

namespace chaosrun::testing {
namespace {

using std::chrono::seconds;

class SchedulerLoop : public DaemonFixture {};

TEST_F(SchedulerLoop, FiresAtNextFireNotBeforeWithTheSchedulesDeadline) {
  config_.schedules = {ScheduleFrom(
      R"({"name": "s", "experiment": "fast", "cron": "@every 60s", "deadline_seconds": 30,
          "vars": {"who": "drill"}})")};
  auto& d = StartDaemon();
  auto next = d.Tick(T0());
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, T0() + seconds(60));
  d.Tick(T0() + seconds(59));
  EXPECT_EQ(executor_.size(), 0u);
  d.Tick(T0() + seconds(60));
  ASSERT_EQ(executor_.size(), 1u);
  auto rec = executor_.record(0);
  EXPECT_EQ(rec.spec.schedule, "s");
  EXPECT_EQ(rec.spec.experiment, "fast");
  EXPECT_TRUE(rec.spec.path.ends_with("/experiments/fast.json")) << rec.spec.path;
  EXPECT_EQ(rec.spec.deadline_seconds, 30);
  EXPECT_EQ(rec.spec.vars.configuration["who"], "drill");
  EXPECT_EQ(rec.spec.journal_path, config_.state_dir + "/runs/" + rec.spec.id + ".json");
  EXPECT_EQ(ScheduleNamed("s")["fires"], 1);
  executor_.Finish(0, "completed");
  ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  Json s = ScheduleNamed("s");
  EXPECT_EQ(s["last_outcome"], "completed");
  EXPECT_EQ(s["last_run_id"], rec.spec.id);
  EXPECT_EQ(d.ListRuns(RunsFilter("s", "", 0, 50))["total"], 1);
}

TEST_F(SchedulerLoop, ForbidSkipsAndCountsWhileThePreviousRunGoes) {
  config_.schedules = {ScheduleFrom(R"({"name": "s", "experiment": "fast", "cron": "@every 60s",
                                        "concurrency": "forbid"})")};
  auto& d = StartDaemon();
  d.Tick(T0() + seconds(60));
  d.Tick(T0() + seconds(120));
  EXPECT_EQ(executor_.size(), 1u);
  EXPECT_EQ(ScheduleNamed("s")["skipped_fires"], 1);
  EXPECT_EQ(ScheduleNamed("s")["last_outcome"], "skipped");
  EXPECT_NE(d.Metrics().find("chaosrun_schedule_skipped_fires_total{schedule=\"s\"} 1"),
            std::string::npos);
  executor_.Finish(0, "completed");
  ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  d.Tick(T0() + seconds(180));
  EXPECT_EQ(executor_.size(), 2u);
}

TEST_F(SchedulerLoop, AllowRunsBothAndReplaceInterruptsTheOldRun) {
  config_.limits.max_concurrent_runs = 4;
  config_.schedules = {ScheduleFrom(R"({"name": "a", "experiment": "fast", "cron": "@every 60s",
                       "concurrency": "allow"})"),
                       ScheduleFrom(R"({"name": "r", "experiment": "fast", "cron": "@every 60s",
                       "concurrency": "replace"})")};
  auto& d = StartDaemon();
  d.Tick(T0() + seconds(60));
  ASSERT_TRUE(executor_.WaitStarted(2));
  d.Tick(T0() + seconds(120));
  ASSERT_TRUE(executor_.WaitStarted(4));
  int a_runs = 0;
  for (size_t i = 0; i < executor_.size(); ++i) {
    auto rec = executor_.record(i);
    if (rec.spec.schedule == "a") {
      ++a_runs;
      EXPECT_FALSE(rec.interrupted);
    }
  }
  EXPECT_EQ(a_runs, 2);
  // The first run of "r" was interrupted by the second fire; the second one runs.
  std::vector<TestExecutor::Record> r;
  for (size_t i = 0; i < executor_.size(); ++i) {
    if (executor_.record(i).spec.schedule == "r") r.push_back(executor_.record(i));
  }
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].interrupted);
  EXPECT_NE(r[0].interrupt_reason.find("replaced"), std::string::npos);
  EXPECT_FALSE(r[1].interrupted);
}

TEST_F(SchedulerLoop, PausedSchedulesDoNotFireUntilResumed) {
  config_.schedules = {
      ScheduleFrom(R"({"name": "p", "experiment": "fast", "cron": "@every 60s", "paused": true})")};
  auto& d = StartDaemon();
  d.Tick(T0() + seconds(60));
  d.Tick(T0() + seconds(120));
  EXPECT_EQ(executor_.size(), 0u);
  EXPECT_EQ(ScheduleNamed("p")["paused"], true);
  EXPECT_TRUE(ScheduleNamed("p")["next_fire"].is_null());
  EXPECT_EQ(d.SetSchedulePaused("nope", false).error().code(), Code::kNotFound);
  auto resumed = d.SetSchedulePaused("p", false);
  ASSERT_TRUE(resumed);
  EXPECT_EQ((*resumed)["paused"], false);
  d.Tick(T0() + seconds(3600));  // the resume planned from the clock's now (T0)
  EXPECT_EQ(executor_.size(), 1u);
  ASSERT_TRUE(d.SetSchedulePaused("p", true));
  d.Tick(T0() + seconds(7200));
  EXPECT_EQ(executor_.size(), 1u);
}

TEST_F(SchedulerLoop, MissedFiresWhileDownAreCountedNeverReplayedAndStateSurvives) {
  config_.schedules = {ScheduleFrom(R"({"name": "m", "experiment": "fast", "cron": "@every 60s"})"),
                       ScheduleFrom(R"({"name": "q", "experiment": "fast", "cron": "@every 60s",
                                        "paused": false})")};
  {
    auto& d = StartDaemon();
    d.Tick(T0() + seconds(60));
    ASSERT_TRUE(executor_.WaitStarted(2));
    executor_.Finish(0, "completed");
    executor_.Finish(1, "failed");
    ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
    ASSERT_TRUE(d.SetSchedulePaused("q", true));
    StopDaemon();
  }
  // Down for ten minutes after the fire at T0+60: ten fires due, none replayed.
  clock_.Advance(seconds(60 + 600));
  auto& d = StartDaemon();
  EXPECT_EQ(executor_.size(), 2u);
  d.Tick(clock_.WallNow());
  EXPECT_EQ(executor_.size(), 2u);
  Json m = ScheduleNamed("m");
  EXPECT_EQ(m["missed_fires"], 10);
  EXPECT_EQ(m["fires"], 1);
  EXPECT_EQ(m["last_outcome"], "completed");
  EXPECT_FALSE(m["last_success"].is_null());
  Json q = ScheduleNamed("q");
  EXPECT_EQ(q["paused"], true);  // the API's pause survives the restart
  EXPECT_EQ(q["missed_fires"], 0);
  EXPECT_EQ(q["last_outcome"], "failed");
  std::string metrics = d.Metrics();
  EXPECT_NE(metrics.find("chaosrun_schedule_missed_fires_total{schedule=\"m\"} 10"),
            std::string::npos)
      << metrics;
}

TEST_F(SchedulerLoop, ReloadAddsRemovesAndChangesSchedulesKeepingState) {
  config_.schedules = {
      ScheduleFrom(R"({"name": "keep", "experiment": "fast", "cron": "@every 60s"})"),
      ScheduleFrom(R"({"name": "gone", "experiment": "fast", "cron": "@every 60s"})")};
  auto& d = StartDaemon();
  d.Tick(T0() + seconds(60));
  ASSERT_TRUE(executor_.WaitStarted(2));
  daemon::DaemonConfig next = config_;
  next.schedules = {
      ScheduleFrom(R"({"name": "keep", "experiment": "fast", "cron": "@every 3600s"})"),
      ScheduleFrom(R"({"name": "new", "experiment": "fast", "cron": "@every 60s"})")};
  next.limits.max_concurrent_runs = 5;
  ASSERT_TRUE(d.Reload(next).ok());
  Json names = Json::array();
  for (const auto& s : d.ListSchedules()) names.push_back(s["name"]);
  EXPECT_EQ(names, Json::parse(R"(["keep", "new"])"));
  EXPECT_EQ(ScheduleNamed("keep")["fires"], 1);  // state kept by name
  EXPECT_EQ(ScheduleNamed("keep")["cron"], "@every 3600s");
  // The run of the removed schedule goes on; it ends normally.
  executor_.Finish(1, "completed");
  executor_.Finish(0, "completed");
  ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  d.Tick(T0() + seconds(120));
  ASSERT_EQ(executor_.size(), 3u);
  EXPECT_EQ(executor_.record(2).spec.schedule, "new");
  EXPECT_EQ(d.config().limits.max_concurrent_runs, 5u);
}

TEST_F(SchedulerLoop, TheSchedulingThreadFiresOnTheInjectedClock) {
  config_.schedules = {
      ScheduleFrom(R"({"name": "t", "experiment": "fast", "cron": "@every 60s"})")};
  daemon_ = std::make_unique<daemon::Daemon>(config_, executor_, clock_);
  ASSERT_TRUE(daemon_->Start(/*scheduler_thread=*/true).ok());
  for (int i = 0; i < 2000 && clock_.sleepers() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a state, capped
  }
  ASSERT_EQ(clock_.sleepers(), 1);
  EXPECT_EQ(executor_.size(), 0u);
  clock_.Advance(seconds(60));
  ASSERT_TRUE(executor_.WaitStarted(1));
  EXPECT_EQ(executor_.record(0).spec.schedule, "t");
}

}  // namespace
}  // namespace chaosrun::testing
