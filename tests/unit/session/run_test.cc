// One session run end to end: the Outcome's fields, interrupts before and during the run, the
// kill switch, bad --var input and a journal that cannot be written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "faults/recover.h"
#include "session_fixture.h"

namespace chaosrun::session {
namespace {

TEST_F(SessionTest, RunFillsTheOutcomeAndUndoesItsFault) {
  Session s(Request(Experiment("ok", Json::array({Fault("a"), Shell("touch", "touch ran")}))));
  std::string id = s.run_id();
  ASSERT_FALSE(id.empty());
  Outcome out = s.Run();
  EXPECT_EQ(out.exit_code, 0) << out.error;
  EXPECT_EQ(out.status, "completed");
  EXPECT_FALSE(out.deviated);
  EXPECT_EQ(out.run_id, id);
  EXPECT_EQ(out.journal_path, PathOf("journal.json"));
  EXPECT_EQ(out.error, "");
  EXPECT_FALSE(out.usage_error);
  EXPECT_EQ(out.faults_applied, 1u);
  EXPECT_EQ(out.faults_undone, 1u);
  EXPECT_EQ(out.faults_left, 0u);
  EXPECT_TRUE(Exists("ran"));
  EXPECT_EQ(CountLines(PathOf("a.undo")), 1);
  // The Outcome's journal is the one on disk.
  EXPECT_EQ(out.journal, ReadJson(out.journal_path));
  EXPECT_EQ(out.journal["status"], "completed");
  ASSERT_EQ(out.journal["faults"].size(), 1u);
  EXPECT_EQ(out.journal["faults"][0]["undone"], true);
  auto pending = faults::PendingFaults(StateDir());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, 0u);
}

TEST_F(SessionTest, InterruptBeforeRunEndsTheRunAtOnce) {
  Session s(Request(Experiment("early", Json::array({Fault("a"), Shell("touch", "touch ran")}))));
  s.Interrupt(engine::InterruptKind::kSigterm, "stopped before it started");
  Outcome out = s.Run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.status, "interrupted");
  EXPECT_EQ(out.faults_applied, 0u);
  EXPECT_FALSE(Exists("ran"));
  EXPECT_FALSE(Exists("a.undo"));  // nothing applied, nothing undone
  EXPECT_EQ(out.journal_path, PathOf("journal.json"));
  EXPECT_EQ(ReadJson(out.journal_path)["status"], "interrupted");
  EXPECT_EQ(out.journal["run"].size(), 0u);
}

TEST_F(SessionTest, InterruptDuringRunUndoesTheFault) {
  Session s(Request(Experiment(
      "during", Json::array({Fault("a"), Shell("long", "touch started; exec sleep 86400")}))));
  Outcome out;
  std::thread run([&] { out = s.Run(); });
  ASSERT_TRUE(WaitUntil([&] { return Exists("started"); }));
  s.Interrupt(engine::InterruptKind::kSigint, "SIGINT from the test");
  run.join();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.status, "interrupted");
  EXPECT_EQ(out.faults_applied, 1u);
  EXPECT_EQ(out.faults_undone, 1u);
  EXPECT_EQ(out.faults_left, 0u);
  EXPECT_EQ(CountLines(PathOf("a.undo")), 1);
  EXPECT_EQ(ReadJson(out.journal_path)["status"], "interrupted");
  // After Run() returned an interrupt has no effect.
  s.Interrupt(engine::InterruptKind::kSigterm, "too late");
}

TEST_F(SessionTest, TheKillSwitchStopsASessionRun) {
  Session s(Request(Experiment(
      "halted", Json::array({Fault("a"), Shell("long", "touch started; exec sleep 86400")}))));
  Outcome out;
  std::thread run([&] { out = s.Run(); });
  ASSERT_TRUE(WaitUntil([&] { return Exists("started"); }));
  std::ofstream(StateDir() + "/halt") << "halted by the test\n";
  run.join();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.status, "completed");
  EXPECT_EQ(out.faults_undone, 1u);
  EXPECT_EQ(out.faults_left, 0u);
  EXPECT_EQ(CountLines(PathOf("a.undo")), 1);
}

TEST_F(SessionTest, ABadVarIsAUsageError) {
  RunRequest r = Request(Experiment("vars", Json::array({Shell("touch", "touch ran")})));
  r.vars = {"no-equals-sign"};
  Session s(std::move(r));
  Outcome out = s.Run();
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_TRUE(out.usage_error);
  EXPECT_NE(out.error.find("no-equals-sign"), std::string::npos) << out.error;
  EXPECT_EQ(out.status, "not-run");
  EXPECT_FALSE(Exists("ran"));
  EXPECT_FALSE(Exists("journal.json"));
}

TEST_F(SessionTest, AnInvalidExperimentIsNotRun) {
  Json e = Experiment("invalid", Json::array({Shell("touch", "touch ran")}));
  e.erase("description");
  Session s(Request(e));
  Outcome out = s.Run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.status, "not-run");
  EXPECT_NE(out.error.find("not valid"), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("description"), std::string::npos) << out.error;
  EXPECT_FALSE(Exists("ran"));
}

TEST_F(SessionTest, AJournalThatCannotBeWrittenRunsNothing) {
  Session s(Request(Experiment("nowhere", Json::array({Fault("a"), Shell("touch", "touch ran")})),
                    "no-such-dir/journal.json"));
  Outcome out = s.Run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.status, "not-run");
  EXPECT_NE(out.error.find("nothing was run"), std::string::npos) << out.error;
  EXPECT_EQ(out.journal_path, "");
  EXPECT_FALSE(Exists("ran"));
  EXPECT_FALSE(Exists("a.undo"));
}

TEST_F(SessionTest, AJournalLostDuringTheRunStillUndoesTheFault) {
  std::filesystem::create_directories(PathOf("out"));
  // The method removes the journal's directory: the run goes on, the write at the end fails.
  Session s(Request(Experiment("lost", Json::array({Fault("a"), Shell("rm", "rm -rf out")})),
                    "out/journal.json"));
  Outcome out = s.Run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.status, "completed");  // the run itself completed
  EXPECT_NE(out.error.find("could not write the journal"), std::string::npos) << out.error;
  EXPECT_EQ(out.journal_path, "");
  EXPECT_TRUE(out.journal.is_object());
  EXPECT_EQ(out.faults_undone, 1u);
  EXPECT_EQ(out.faults_left, 0u);
  EXPECT_EQ(CountLines(PathOf("a.undo")), 1);
}

}  // namespace
}  // namespace chaosrun::session
