// The run queue, the kill switch and what Start() finds, through daemon::Control. Runs come from
// TestExecutor (test_executor.h says why).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "daemon/journal_store.h"
#include "unit/daemon/daemon_fixture.h"

namespace chaosrun::testing {
namespace {

class RunQueue : public DaemonFixture {};

TEST_F(RunQueue, ConcurrencyLimitAndBoundedQueue) {
  config_.limits.max_concurrent_runs = 1;
  config_.limits.queue_size = 1;
  config_.limits.run_deadline_seconds = 99;
  auto& d = StartDaemon();
  auto first = d.StartRun("fast", {});
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ((*first)["status"], "running");  // a free slot: started at once
  ASSERT_TRUE(executor_.WaitStarted(1));
  auto second = d.StartRun("fast.json", {});
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)["status"], "queued");
  EXPECT_EQ((*second)["experiment"], "fast");
  auto third = d.StartRun("fast", {});
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code(), Code::kUnavailable);
  EXPECT_EQ(executor_.size(), 1u);
  EXPECT_EQ(d.Health()["runs_in_progress"], 1);
  EXPECT_EQ(d.Health()["runs_queued"], 1);
  EXPECT_EQ((*d.GetRun((*second)["id"]))["status"], "queued");
  EXPECT_EQ(executor_.record(0).spec.deadline_seconds, 99);
  EXPECT_EQ(executor_.record(0).spec.schedule, "");
  executor_.Finish(0, "completed");
  ASSERT_TRUE(executor_.WaitStarted(2));
  // The second run saw the first one's ledger id as in flight only while it ran: it had ended.
  EXPECT_TRUE(executor_.record(1).spec.concurrent_run_ids.empty());
  executor_.Finish(1, "failed", /*deviated=*/true);
  ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  Json runs = d.ListRuns({});
  EXPECT_EQ(runs["total"], 2);
  EXPECT_EQ(runs["runs"][0]["id"], (*second)["id"]);  // newest first
  EXPECT_EQ(runs["runs"][0]["status"], "failed");
  EXPECT_EQ(runs["runs"][0]["deviated"], true);
  EXPECT_EQ(d.ListRuns(RunsFilter("", "completed", 0, 50))["total"], 1);
  EXPECT_EQ(d.ListRuns(RunsFilter("", "", 1, 5))["runs"].size(), 1u);
  std::string metrics = d.Metrics();
  EXPECT_NE(metrics.find("chaosrun_runs_total{outcome=\"completed\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("chaosrun_runs_total{outcome=\"failed\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("chaosrun_faults_applied_total 2"), std::string::npos);
}

TEST_F(RunQueue, ConcurrentRunsSeeEachOthersLedgerIds) {
  config_.limits.max_concurrent_runs = 2;
  auto& d = StartDaemon();
  ASSERT_TRUE(d.StartRun("fast", {}));
  ASSERT_TRUE(executor_.WaitStarted(1));
  ASSERT_TRUE(d.StartRun("fast", {}));
  ASSERT_TRUE(executor_.WaitStarted(2));
  EXPECT_EQ(executor_.record(1).spec.concurrent_run_ids, std::vector<std::string>{"ledger-1"});
  // The first run was prepared before the second existed: asked now (as its session asks at the
  // pending-fault check), it names the second, and never itself.
  EXPECT_TRUE(executor_.record(0).spec.concurrent_run_ids.empty());
  ASSERT_TRUE(executor_.record(0).spec.concurrent_run_ids_now);
  EXPECT_EQ(executor_.record(0).spec.concurrent_run_ids_now(),
            std::vector<std::string>{"ledger-2"});
  EXPECT_EQ(executor_.record(1).spec.concurrent_run_ids_now(),
            std::vector<std::string>{"ledger-1"});
  // Once the second run has ended, the first no longer names it (polled with a cap: the daemon
  // forgets a run just after its Run() returns).
  executor_.Finish(1, "completed");
  auto now_ids = executor_.record(0).spec.concurrent_run_ids_now;
  for (int i = 0; i < 2000 && !now_ids().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(now_ids().empty());
}

TEST_F(RunQueue, NamesResolveOnlyInsideTheExperimentsDirectory) {
  dir_.Write("outside.json", "{}");
  std::filesystem::create_symlink(dir_.path() / "outside.json",
                                  dir_.path() / "experiments" / "link.json");
  auto& d = StartDaemon();
  for (const char* bad : {"../outside", "../outside.json", "/etc/passwd", "link", ".", "", "x"}) {
    auto r = d.StartRun(bad, {});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), Code::kNotFound) << bad;
  }
  Json list = d.ListExperiments();
  ASSERT_GE(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "fast");
  EXPECT_EQ(list[0]["title"], "fast");
}

TEST_F(RunQueue, AbortQueuedAndRunningRuns) {
  config_.limits.max_concurrent_runs = 1;
  auto& d = StartDaemon();
  auto running = d.StartRun("fast", {});
  auto queued = d.StartRun("fast", {});
  ASSERT_TRUE(running && queued);
  ASSERT_TRUE(executor_.WaitStarted(1));
  auto aq = d.AbortRun((*queued)["id"]);
  ASSERT_TRUE(aq);
  EXPECT_EQ((*aq)["status"], "aborted");
  ASSERT_TRUE(d.AbortRun((*running)["id"]));
  ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  EXPECT_TRUE(executor_.record(0).interrupted);
  EXPECT_EQ(executor_.size(), 1u);  // the aborted queued run never started
  EXPECT_EQ(d.AbortRun((*running)["id"]).error().code(), Code::kFailedPrecondition);
  EXPECT_EQ(d.AbortRun("20260101T000000Z-00000000").error().code(), Code::kNotFound);
  EXPECT_EQ(d.GetRun("nope").error().code(), Code::kNotFound);
}

TEST_F(RunQueue, KillSwitchInterruptsRunsRefusesNewOnesAndSkipsFires) {
  config_.schedules = {ScheduleFrom(R"({"name": "h", "experiment": "fast", "cron": "@every 60s",
                                        "concurrency": "allow"})")};
  auto& d = StartDaemon();
  ASSERT_TRUE(d.StartRun("fast", {}));
  ASSERT_TRUE(executor_.WaitStarted(1));
  ASSERT_TRUE(d.SetHalt(true, "incident 42").ok());
  EXPECT_TRUE(d.Halted());
  std::ifstream halt(config_.state_dir + "/halt");
  std::string reason;
  std::getline(halt, reason);
  EXPECT_EQ(reason, "incident 42");
  ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  EXPECT_TRUE(executor_.record(0).interrupted);
  EXPECT_EQ(d.StartRun("fast", {}).error().code(), Code::kUnavailable);
  d.Tick(T0() + std::chrono::seconds(60));
  EXPECT_EQ(executor_.size(), 1u);
  EXPECT_EQ(ScheduleNamed("h")["last_outcome"], "halted");
  EXPECT_NE(d.Metrics().find("chaosrun_halted 1"), std::string::npos);
  ASSERT_TRUE(d.SetHalt(false, "").ok());
  EXPECT_FALSE(d.Halted());
  ASSERT_TRUE(d.StartRun("fast", {}));
  EXPECT_EQ(d.Health()["halted"], false);
}

TEST_F(RunQueue, StartRecoversFirstAndReportsInterruptedRuns) {
  {
    daemon::JournalStore store(config_.state_dir + "/runs");
    std::filesystem::create_directories(config_.state_dir);
    std::filesystem::permissions(config_.state_dir, std::filesystem::perms::owner_all);
    ASSERT_TRUE(store.Open().ok());
    ASSERT_TRUE(store
                    .PutSummary({{"id", "20251231T000000Z-0000beef"},
                                 {"schedule", ""},
                                 {"status", "running"},
                                 {"started", "x"},
                                 {"ledger_run_id", "ledger-old"}})
                    .ok());
  }
  executor_.recover_result.interrupted_runs = {"ledger-old", "ledger-unknown"};
  executor_.recover_result.undone = 2;
  auto& d = StartDaemon();
  EXPECT_EQ(executor_.recover_calls, 1);
  auto ids = d.interrupted_runs();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], "20251231T000000Z-0000beef");
  EXPECT_EQ((*d.GetRun(ids[0]))["status"], "interrupted");
  EXPECT_EQ((*d.GetRun(ids[1]))["ledger_run_id"], "ledger-unknown");
  EXPECT_EQ(d.ListRuns(RunsFilter("", "interrupted", 0, 50))["total"], 2);
  EXPECT_NE(d.Metrics().find("chaosrun_interrupted_runs_found_total 2"), std::string::npos);
}

TEST_F(RunQueue, ShutdownInterruptsRunningAndAbortsQueuedRuns) {
  config_.limits.max_concurrent_runs = 1;
  auto& d = StartDaemon();
  ASSERT_TRUE(d.StartRun("fast", {}));
  auto queued = d.StartRun("fast", {});
  ASSERT_TRUE(executor_.WaitStarted(1));
  d.Shutdown("test stop");
  EXPECT_TRUE(executor_.record(0).interrupted);
  EXPECT_EQ(executor_.size(), 1u);
  EXPECT_EQ(d.StartRun("fast", {}).error().code(), Code::kUnavailable);
  EXPECT_EQ(d.Health()["status"], "stopping");
  EXPECT_EQ(d.ListRuns(RunsFilter("", "aborted", 0, 50))["total"], 1);
  EXPECT_EQ(d.ListRuns(RunsFilter("", "interrupted", 0, 50))["total"], 1);
}

TEST_F(RunQueue, HistoryLimitPrunesAScheduleJournals) {
  config_.schedules = {ScheduleFrom(R"({"name": "k", "experiment": "fast", "cron": "@every 60s",
                                        "history_limit": 2})")};
  auto& d = StartDaemon();
  for (int i = 1; i <= 4; ++i) {
    d.Tick(T0() + std::chrono::seconds(60 * i));
    ASSERT_TRUE(executor_.WaitStarted(static_cast<size_t>(i)));
    executor_.Finish(static_cast<size_t>(i - 1), "completed");
    ASSERT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  }
  Json runs = d.ListRuns(RunsFilter("k", "", 0, 50));
  EXPECT_EQ(runs["total"], 2);
  EXPECT_EQ(runs["runs"][0]["id"], executor_.record(3).spec.id);
  EXPECT_EQ(runs["runs"][1]["id"], executor_.record(2).spec.id);
}

}  // namespace
}  // namespace chaosrun::testing
