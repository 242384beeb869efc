// The watchdog retries an undo that always fails with a backoff (1 s doubling to 30 s), and what
// it leaves behind stays bounded however long it tries: the ledger's undo-failed records, the log
// lines, and the journal's watchdog records. Many fake-clock turns, no real waiting.
#include "common/log.h"
#include "stubborn_fixture.h"

namespace chaosrun::faults {
namespace {

using Kind = providers::Outcome::Kind;

int WatchdogAttempts(const FaultManager& fm) {
  return fm.Summary()[0].value("watchdog_attempts", 0);
}

// Drives the watchdog through `turns` failed undos of the one fault (duration 1 s), checking each
// retry comes exactly when the backoff says: not a millisecond before.
void RunFailingTurns(FaultManager& fm, ::chaosrun::testing::FakeClock& clock, int turns) {
  clock.Advance(std::chrono::seconds(1));  // the fault's maximum duration
  ASSERT_TRUE(WaitFor([&] { return WatchdogAttempts(fm) == 1; }));
  std::chrono::milliseconds backoff(1000);
  for (int k = 1; k < turns; ++k) {
    clock.Advance(backoff - std::chrono::milliseconds(1));
    ASSERT_TRUE(WaitFor([&] { return clock.sleepers() >= 1; }));
    ASSERT_EQ(WatchdogAttempts(fm), k) << "retried before its backoff of " << backoff.count();
    clock.Advance(std::chrono::milliseconds(1));
    ASSERT_TRUE(WaitFor([&] { return WatchdogAttempts(fm) == k + 1; }))
        << "attempt " << k + 1 << " did not come after " << backoff.count() << " ms";
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
  }
}

TEST_F(StubbornTest, AFailingWatchdogUndoBacksOffAndLeavesBoundedRecords) {
  std::string log_file = (dir_.path() / "chaosrun.log").string();
  log::Init({.console_level = log::Level::kError, .file = log_file});
  auto fm = Make();
  std::string calls = (dir_.path() / "undo-calls").string();
  auto out = fm->Run(kStubbornActivity, Provider({{"undo", "fail"}, {"log", calls}}, "fault", 1),
                     CancelToken());
  ASSERT_EQ(out.kind, Kind::kSucceeded) << out.error;
  const int turns = 25;  // 1+2+4+8+16 s, then every 30 s: about ten minutes of fake time
  RunFailingTurns(*fm, clock_, turns);
  EXPECT_EQ(Lines(calls), turns);              // one driver call per turn, no tight loop
  EXPECT_EQ(LedgerRecords("undo-failed"), 1);  // the same error is recorded once
  Json records = fm->TakeWatchdogRecords();
  ASSERT_EQ(records.size(), 1u);  // the last record of the fault, with a count
  EXPECT_EQ(records[0]["attempts"], turns);
  EXPECT_EQ(records[0]["status"], "failed");
  Json summary = fm->Summary()[0];
  EXPECT_EQ(summary["undo_failures"], turns);
  EXPECT_EQ(summary["undo_error"], "undo failed on purpose");

  // The end of the run tries once more; the fault stays for `recover`.
  Json end = fm->UndoAll("end of run");
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0]["status"], "failed");
  EXPECT_EQ(Lines(calls), turns + 1);
  EXPECT_EQ(fm->applied_count(), 1u);
  fm.reset();
  log::Init({});
  // The log: the first failure, then every 10th (attempts 10 and 20).
  EXPECT_EQ(Lines(log_file, "undo of fault"), 3) << "log lines are not bounded";
}

// Without a console (chaosrund) each applied fault is an INFO line with its id; with one (the
// CLI, whose console shows the fault) it is a debug line. A failed undo names the id either way.
TEST_F(StubbornTest, AppliedFaultsAreLoggedAtInfoOnlyWithoutAConsole) {
  for (bool log_applied : {false, true}) {
    std::string log_file = (dir_.path() / ("log-" + std::to_string(log_applied))).string();
    log::Init(
        {.console_level = log::Level::kError, .file = log_file, .file_level = log::Level::kInfo});
    auto fm = Make({}, log_applied);
    auto out = fm->Run(kStubbornActivity, Provider({{"undo", "fail"}}), CancelToken());
    ASSERT_EQ(out.kind, Kind::kSucceeded) << out.error;
    const std::string id = out.output["fault"].get<std::string>();
    (void)fm->UndoAll("end of run");
    fm.reset();
    log::Init({});
    EXPECT_EQ(Lines(log_file, "INFO] fault " + id + " applied: "), log_applied ? 1 : 0);
    EXPECT_EQ(Lines(log_file, "undo of fault " + id + " ("), 1);
  }
}

TEST_F(StubbornTest, AChangingUndoErrorIsRecordedAtMostFiveTimes) {
  auto fm = Make();
  ASSERT_EQ(
      fm->Run(kStubbornActivity, Provider({{"undo", "fail_changing"}}, "fault", 1), CancelToken())
          .kind,
      Kind::kSucceeded);
  RunFailingTurns(*fm, clock_, 9);
  EXPECT_EQ(LedgerRecords("undo-failed"), kMaxUndoFailedRecords);
  EXPECT_EQ(fm->TakeWatchdogRecords().size(), 1u);
  EXPECT_NE(fm->Summary()[0]["undo_error"].get<std::string>().find("attempt 9"), std::string::npos);
}

TEST_F(StubbornTest, AnUndoThatThrowsIsAFailedUndo) {
  auto fm = Make();
  ASSERT_EQ(fm->Run(kStubbornActivity, Provider({{"undo", "throw"}}), CancelToken()).kind,
            Kind::kSucceeded);
  Json end = fm->UndoAll("end of run");
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0]["status"], "failed");
  EXPECT_EQ(fm->applied_count(), 1u);
}

}  // namespace
}  // namespace chaosrun::faults
