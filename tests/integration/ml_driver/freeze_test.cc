// freeze_dataset through the real `chaosrun run`: a `sleep` child of the test plays the
// pipeline. It is stopped while the method runs and continued at the end; after a SIGKILLed
// runner, `chaosrun recover` continues it; a pipeline that is gone makes the undo a no-op.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include "integration/ml_driver/ml_harness.h"
#include "support/temp_dir.h"

namespace chaosrun::ml_test {
namespace {

// The state letter of /proc/<pid>/stat ('?' when gone).
char ProcState(pid_t pid) {
  std::string s = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  size_t close = s.rfind(')');
  return close == std::string::npos || close + 2 >= s.size() ? '?' : s[close + 2];
}

class Pipeline {
 public:
  Pipeline() : pid_(StartChild({"sleep", "300"}, "")) {}
  ~Pipeline() {
    ::kill(pid_, SIGKILL);
    WaitChild(pid_);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

json FreezeExperiment(const std::string& dir, const json& args) {
  return MlExperiment("freeze_dataset", args, json::array({"process:sleep/*"}), dir);
}

TEST(MlFreezeDataset, StoppedDuringTheRunContinuedAtItsEnd) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Pipeline p;
  const std::string pidfile = tmp.Write("pipeline.pid", std::to_string(p.pid()) + "\n");
  int rc = RunThroughGate(
      dir, driver_dir, FreezeExperiment(dir, {{"pidfile", pidfile}}),
      [&] {
        EXPECT_TRUE(PollUntil([&] { return ProcState(p.pid()) == 'T'; })) << ProcState(p.pid());
      },
      false);
  EXPECT_EQ(rc, 0) << ReadAll(dir + "/run.log");
  EXPECT_TRUE(PollUntil([&] { return ProcState(p.pid()) == 'S'; })) << ProcState(p.pid());
}

TEST(MlFreezeDataset, RecoverContinuesThePipelineAfterTheRunnerIsKilled) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Pipeline p;
  int rc =
      RunThroughGate(dir, driver_dir, FreezeExperiment(dir, {{"pid", p.pid()}}), nullptr, true);
  ASSERT_EQ(rc, 128 + 9);
  EXPECT_TRUE(PollUntil([&] { return ProcState(p.pid()) == 'T'; })) << ProcState(p.pid());
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_TRUE(PollUntil([&] { return ProcState(p.pid()) == 'S'; })) << ProcState(p.pid());
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

TEST(MlFreezeDataset, AGonePipelineMakesTheUndoANoOp) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  auto p = std::make_unique<Pipeline>();
  const pid_t pid = p->pid();
  int rc = RunThroughGate(dir, driver_dir, FreezeExperiment(dir, {{"pid", pid}}), nullptr, true);
  ASSERT_EQ(rc, 128 + 9);
  p.reset();  // the pipeline dies (SIGKILL works on a stopped process)
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

TEST(MlFreezeDataset, RefusedForAMissingOrAlreadyStoppedProcess) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Pipeline p;
  ASSERT_EQ(::kill(p.pid(), SIGSTOP), 0);
  ASSERT_TRUE(PollUntil([&] { return ProcState(p.pid()) == 'T'; }));
  WriteFile(
      dir + "/e.json",
      MlExperiment("freeze_dataset", {{"pid", p.pid()}}, json::array({"process:sleep/*"})).dump());
  std::string out;
  RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state", "--journal-path",
               dir + "/j.json", dir + "/e.json"},
              dir + "/run.log", &out);
  EXPECT_NE(out.find("is already stopped"), std::string::npos) << out;
  EXPECT_EQ(ProcState(p.pid()), 'T');  // still ours to continue, not the run's
  ::kill(p.pid(), SIGCONT);
  WriteFile(dir + "/e2.json", MlExperiment("freeze_dataset", {{"pidfile", dir + "/none.pid"}},
                                           json::array({"process:sleep/*"}))
                                  .dump());
  RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state", "--journal-path",
               dir + "/j2.json", dir + "/e2.json"},
              dir + "/run2.log", &out);
  EXPECT_NE(out.find("pidfile: cannot read"), std::string::npos) << out;
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

// A pidfile that is not a small regular file is refused at once (a FIFO would block a plain
// read, /dev/zero would never end), naming the argument.
TEST(MlFreezeDataset, RefusesAPidfileThatIsNotASmallRegularFile) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  ASSERT_EQ(::mkfifo((dir + "/fifo.pid").c_str(), 0600), 0);
  WriteFile(dir + "/big.pid", std::string(100, '1'));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {dir + "/fifo.pid", "is not a regular file"},
      {"/dev/zero", "is not a regular file"},
      {dir + "/big.pid", "is larger than 64 bytes"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string e = dir + "/e" + std::to_string(i) + ".json";
    WriteFile(e, MlExperiment("freeze_dataset", {{"pidfile", cases[i].first}},
                              json::array({"process:sleep/*"}))
                     .dump());
    std::string out;
    EXPECT_NE(RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state",
                           "--journal-path", e + ".journal", e},
                          e + ".log", &out),
              0);
    EXPECT_NE(out.find("/pidfile: " + cases[i].first + " " + cases[i].second), std::string::npos)
        << out;
    EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
  }
}

// expect_cmdline: a pidfile whose pid now names another process freezes nothing.
TEST(MlFreezeDataset, ExpectCmdlineRefusesAnotherProcess) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Pipeline p;
  const std::string pidfile = tmp.Write("pipeline.pid", std::to_string(p.pid()) + "\n");
  WriteFile(dir + "/e.json", MlExperiment("freeze_dataset",
                                          {{"pidfile", pidfile}, {"expect_cmdline", "pipeline.py"}},
                                          json::array({"process:sleep/*"}))
                                 .dump());
  std::string out;
  RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state", "--journal-path",
               dir + "/j.json", dir + "/e.json"},
              dir + "/run.log", &out);
  EXPECT_NE(out.find("/expect_cmdline: refused"), std::string::npos) << out;
  EXPECT_NE(out.find("\"sleep 300\""), std::string::npos) << out;
  EXPECT_EQ(ProcState(p.pid()), 'S');
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
  // The right command line: frozen during the run, continued at its end.
  int rc = RunThroughGate(
      dir, driver_dir, FreezeExperiment(dir, {{"pidfile", pidfile}, {"expect_cmdline", "sleep 3"}}),
      [&] {
        EXPECT_TRUE(PollUntil([&] { return ProcState(p.pid()) == 'T'; })) << ProcState(p.pid());
      },
      false);
  EXPECT_EQ(rc, 0) << ReadAll(dir + "/run.log");
  EXPECT_TRUE(PollUntil([&] { return ProcState(p.pid()) == 'S'; })) << ProcState(p.pid());
}

}  // namespace
}  // namespace chaosrun::ml_test
