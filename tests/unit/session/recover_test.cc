// RecoverAtStart: a fault whose runner is dead is undone and its run is named; a live runner's
// fault is refused (that run undoes it itself) and its run is not "interrupted".
#include "faults/recover.h"

#include <gtest/gtest.h>

#include "ledger/ledger.h"
#include "ledger/runner.h"
#include "session_fixture.h"

namespace chaosrun::session {
namespace {

class RecoverAtStartTest : public SessionTest {
 protected:
  // An applied fault of `run` recorded by `runner`; its undo appends a line to <tag>.undo.
  void Record(const std::string& run, const std::string& tag,
              const ledger::RunnerIdentity& runner) {
    auto l = ledger::Ledger::Open(StateDir());
    ASSERT_TRUE(l.has_value()) << l.error().message();
    Json intent = {{"id", ledger::NewFaultId()},
                   {"run", run},
                   {"driver", "stubborn"},
                   {"driver_path", TestDriverDir() + "/libstubborn_driver.so"},
                   {"func", "fault"},
                   {"activity", "left behind"},
                   {"targets", Json::array({"test:stubborn/" + tag})},
                   {"undo", {{"log", PathOf(tag + ".undo")}}}};
    ASSERT_TRUE((*l)->RecordIntent(intent, runner).ok());
    ASSERT_TRUE((*l)->RecordApplied(intent["id"]).ok());
  }
  // This process under another start time: the identity of a runner that is gone (as after a
  // crash and a recycled pid).
  static ledger::RunnerIdentity DeadRunner() {
    ledger::RunnerIdentity r = ledger::SelfIdentity();
    r.start += 1;
    return r;
  }
};

TEST_F(RecoverAtStartTest, UndoesADeadRunnersFaultAndNamesItsRun) {
  Record("crashed-run", "dead", DeadRunner());
  Record("crashed-run", "dead2", DeadRunner());
  auto summary = RecoverAtStart(Env());
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->undone, 2);
  EXPECT_EQ(summary->failed, 0);
  EXPECT_EQ(summary->refused, 0);
  EXPECT_EQ(summary->interrupted_runs, std::vector<std::string>{"crashed-run"});
  EXPECT_EQ(summary->lines.size(), 2u);
  EXPECT_EQ(CountLines(PathOf("dead.undo")), 1);
  EXPECT_EQ(CountLines(PathOf("dead2.undo")), 1);
  auto pending = faults::PendingFaults(StateDir());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, 0u);
}

TEST_F(RecoverAtStartTest, ALiveRunnersFaultIsRefusedAndItsRunNotInterrupted) {
  Record("crashed-run", "dead", DeadRunner());
  Record("live-run", "live", ledger::SelfIdentity());
  auto summary = RecoverAtStart(Env());
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->undone, 1);
  EXPECT_EQ(summary->refused, 1);
  EXPECT_EQ(summary->interrupted_runs, std::vector<std::string>{"crashed-run"});
  EXPECT_EQ(CountLines(PathOf("dead.undo")), 1);
  EXPECT_FALSE(Exists("live.undo"));
  auto pending = faults::PendingFaults(StateDir());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, 1u);
}

TEST_F(RecoverAtStartTest, NothingToRecover) {
  auto summary = RecoverAtStart(Env());
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->undone, 0);
  EXPECT_TRUE(summary->interrupted_runs.empty());
  ASSERT_EQ(summary->lines.size(), 1u);
  EXPECT_NE(summary->lines[0].find("nothing to recover"), std::string::npos);
}

}  // namespace
}  // namespace chaosrun::session
