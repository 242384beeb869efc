// Missed fires across restarts: each fire is counted missed once (a second restart does not count
// the same downtime again), and fires due while a schedule was paused are never missed fires.
#include <gtest/gtest.h>

#include "unit/daemon/daemon_fixture.h"

namespace chaosrun::testing {
namespace {

using std::chrono::seconds;

class MissedFires : public DaemonFixture {
 protected:
  void SetUp() override {
    config_.schedules = {
        ScheduleFrom(R"({"name": "m", "experiment": "fast", "cron": "@every 60s"})")};
  }
  // Starts the daemon, lets "m" fire once at the next minute and its run complete.
  void StartAndFireOnce() {
    auto& d = StartDaemon();
    clock_.Advance(seconds(60));
    d.Tick(clock_.WallNow());
    ASSERT_TRUE(executor_.WaitStarted(1));
    executor_.Finish(0, "completed");
    ASSERT_TRUE(d.WaitIdle(seconds(20)));
  }
  Json Missed() { return ScheduleNamed("m")["missed_fires"]; }
};

TEST_F(MissedFires, ASecondRestartDoesNotCountTheSameDowntimeAgain) {
  StartAndFireOnce();
  StopDaemon();
  clock_.Advance(seconds(600));  // down for ten fires
  StartDaemon();
  EXPECT_EQ(Missed(), 10);
  StopDaemon();
  StartDaemon();  // at once: nothing more was missed
  EXPECT_EQ(Missed(), 10);
  StopDaemon();
  clock_.Advance(seconds(120));  // down for two more
  StartDaemon();
  EXPECT_EQ(Missed(), 12);
  EXPECT_EQ(ScheduleNamed("m")["fires"], 1);
}

TEST_F(MissedFires, FiresDueWhilePausedAreNotMissedAfterARestart) {
  StartAndFireOnce();
  ASSERT_TRUE(daemon_->SetSchedulePaused("m", true));
  for (int i = 0; i < 9; ++i) {  // nine paused ticks: the daemon is up, the schedule paused
    clock_.Advance(seconds(60));
    daemon_->Tick(clock_.WallNow());
  }
  ASSERT_TRUE(daemon_->SetSchedulePaused("m", false));
  StopDaemon();
  StartDaemon();
  EXPECT_EQ(Missed(), 0);
  EXPECT_EQ(executor_.size(), 1u);
}

TEST_F(MissedFires, DowntimeWhilePausedIsNotMissedAfterTheResume) {
  StartAndFireOnce();
  ASSERT_TRUE(daemon_->SetSchedulePaused("m", true));
  StopDaemon();
  clock_.Advance(seconds(600));
  StartDaemon();  // still paused (the API's pause survives the restart)
  EXPECT_EQ(Missed(), 0);
  ASSERT_TRUE(daemon_->SetSchedulePaused("m", false));
  StopDaemon();
  StartDaemon();
  EXPECT_EQ(Missed(), 0);
  // Downtime after the resume is missed as before.
  StopDaemon();
  clock_.Advance(seconds(180));
  StartDaemon();
  EXPECT_EQ(Missed(), 3);
}

}  // namespace
}  // namespace chaosrun::testing
