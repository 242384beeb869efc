// Issue 11, recovery you can trust, end to end with the REAL chaosrun binary on a `sleep` this
// test started: a run SIGKILLed with a process `stop` applied leaves its fault in the ledger,
// `recover --list --json` shows it (driver, func, targets, age, run gone), `recover --forget`
// drops it and logs who; a run that is still alive (blocked in a gate) makes `recover` refuse
// (exit 1, the target still stopped) and `recover --force` undo it; a state directory that others
// can write is refused by run and recover alike.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "experiment.h"
#include "harness.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

namespace chaosrun::safety_test {
namespace {

class RecoverCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chaosrun::testing::BecomeChildSubreaper(); }

  void TearDown() override {
    Touch(dir() + "/abort");
    if (runner_.pid > 0 && runner_.exit_code < 0) {
      ::kill(runner_.pid, SIGKILL);
      WaitChaosrun(runner_);
    }
    if (target_ > 0) KillAndReap(target_);
    ReapExited();
  }

  std::string dir() const { return tmp_.path().string(); }
  std::string state() const { return dir() + "/state"; }

  // Starts the target (`sleep 300.<unique>`) and a run that stops it, then waits in gate
  // "after" (at_after.1) with the fault applied.
  void StartRunWithFaultApplied() {
    std::string arg = "300." + std::to_string(::getpid()) + "91";
    target_ = Spawn({"sleep", arg});
    ASSERT_GT(target_, 0);
    ASSERT_TRUE(WaitUntil([&] { return StateOf(target_) == 'S'; }));
    std::string re = "^sleep 300\\." + std::to_string(::getpid()) + "91$";
    Json e = Experiment("recover", Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}}),
                                                Gate("action", "after", dir())}));
    std::string path = tmp_.Write("experiment.json", e.dump(2));
    runner_ = StartChaosrun(
        {"run", path, "--state-dir", state(), "--journal-path", dir() + "/journal.json"}, dir(),
        "run");
    ASSERT_TRUE(WaitUntil([&] { return Exists(dir() + "/at_after.1"); }))
        << "the run never reached its gate\n"
        << runner_.Output();
    ASSERT_TRUE(IsStopped(target_)) << "state " << StateOf(target_);
  }

  Chaosrun Recover(std::vector<std::string> extra, const std::string& tag) {
    std::vector<std::string> args = {"recover", "--state-dir", state()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunChaosrun(args, dir(), tag);
  }

  Json ListJson(const std::string& tag) {
    Chaosrun c = Recover({"--list", "--json"}, tag);
    EXPECT_EQ(c.exit_code, 0) << c.Output();
    Json j = LoadJson(c.out_path);
    EXPECT_TRUE(j.is_object() && j.contains("pending")) << c.Output();
    return j.is_object() && j.contains("pending") ? j["pending"] : Json::array();
  }

  chaosrun::testing::TempDir tmp_;
  Chaosrun runner_;
  pid_t target_ = -1;
};

TEST_F(RecoverCliTest, KilledRunIsListedThenForgottenWithWhoLogged) {
  StartRunWithFaultApplied();
  if (HasFatalFailure()) return;
  pid_t run_pid = runner_.pid;
  ::kill(run_pid, SIGKILL);
  WaitChaosrun(runner_);
  Touch(dir() + "/abort");  // the orphaned gate gives up

  Json pending = ListJson("list");
  ASSERT_EQ(pending.size(), 1u) << pending.dump(2);
  const Json& f = pending[0];
  EXPECT_EQ(f["driver"], "process");
  EXPECT_EQ(f["func"], "stop");
  EXPECT_EQ(f["activity"], "stop-it");
  EXPECT_EQ(f["targets"], Json::array({"process:sleep/" + std::to_string(target_)}));
  ASSERT_TRUE(f["age_seconds"].is_number()) << f.dump();
  EXPECT_GE(f["age_seconds"].get<double>(), 0);
  EXPECT_TRUE(f["age"].is_string());
  EXPECT_EQ(f["applied"], true);
  EXPECT_EQ(f["runner"]["pid"], run_pid);
  EXPECT_EQ(f["runner"]["alive"], false);
  const std::string id = f["id"].get<std::string>();

  Chaosrun table = Recover({"--list"}, "table");
  EXPECT_EQ(table.exit_code, 0) << table.Output();
  std::string out = ReadFile(table.out_path);
  EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_NE(out.find("gone (pid " + std::to_string(run_pid) + ")"), std::string::npos) << out;
  EXPECT_TRUE(IsStopped(target_)) << "--list must undo nothing";

  Chaosrun unknown = Recover({"--forget", "no-such-id"}, "forget-unknown");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Output();
  EXPECT_NE(ReadFile(unknown.err_path).find("no-such-id"), std::string::npos);

  Chaosrun forget = Recover({"--forget", id}, "forget");
  EXPECT_EQ(forget.exit_code, 0) << forget.Output();
  std::string err = ReadFile(forget.err_path);
  EXPECT_NE(err.find("fault " + id + " (process.stop on process:sleep/" + std::to_string(target_) +
                     ", activity 'stop-it') forgotten by "),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("uid " + std::to_string(::getuid())), std::string::npos) << err;
  EXPECT_NE(ReadFile(state() + "/ledger.jsonl").find(R"("op":"forgotten")"), std::string::npos);
  EXPECT_TRUE(ListJson("list-after").empty());
  EXPECT_TRUE(IsStopped(target_)) << "--forget must undo nothing";
  Chaosrun rec = Recover({}, "recover");
  EXPECT_EQ(rec.exit_code, 0) << rec.Output();
  EXPECT_TRUE(IsStopped(target_)) << "a forgotten fault is not undone by recover";
}

TEST_F(RecoverCliTest, LiveRunIsRefusedUnlessForced) {
  StartRunWithFaultApplied();
  if (HasFatalFailure()) return;
  Chaosrun refused = Recover({}, "refused");
  EXPECT_EQ(refused.exit_code, 1) << refused.Output();
  std::string out = ReadFile(refused.out_path);
  EXPECT_NE(out.find("REFUSED"), std::string::npos) << out;
  EXPECT_NE(out.find("still alive (pid " + std::to_string(runner_.pid) + ")"), std::string::npos)
      << out;
  EXPECT_NE(out.find("chaosrun halt"), std::string::npos) << out;
  EXPECT_TRUE(IsStopped(target_)) << "a live run's fault was undone without --force";
  Json pending = ListJson("list");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["runner"]["alive"], true);

  Chaosrun forced = Recover({"--force"}, "forced");
  EXPECT_EQ(forced.exit_code, 0) << forced.Output();
  EXPECT_TRUE(WaitUntil([&] { return IsRunning(target_); }, std::chrono::seconds(5)))
      << "state " << StateOf(target_) << "\n"
      << forced.Output();

  Touch(dir() + "/go_after.1");  // the run ends and undoes (again, harmlessly) its own fault
  ASSERT_TRUE(WaitChaosrun(runner_)) << runner_.Output();
  EXPECT_TRUE(IsRunning(target_));
  EXPECT_TRUE(LedgerEmpty(state())) << ReadFile(state() + "/ledger.jsonl");
}

TEST_F(RecoverCliTest, StateDirectoryOthersCanWriteIsRefused) {
  ASSERT_EQ(::mkdir(state().c_str(), 0700), 0);
  ASSERT_EQ(::chmod(state().c_str(), 0777), 0);
  const std::string expected = "refusing the state directory " + state() + ": mode 0777";
  Chaosrun rec = Recover({}, "recover");
  EXPECT_EQ(rec.exit_code, 1) << rec.Output();
  EXPECT_NE(ReadFile(rec.err_path).find(expected), std::string::npos) << rec.Output();
  Chaosrun list = Recover({"--list"}, "list");
  EXPECT_EQ(list.exit_code, 1) << list.Output();
  Json e = Experiment("nothing", Json::array({Shell("noop", "true", dir())}));
  std::string path = tmp_.Write("noop.json", e.dump(2));
  Chaosrun run =
      RunChaosrun({"run", path, "--state-dir", state(), "--journal-path", dir() + "/journal.json"},
                  dir(), "run");
  EXPECT_EQ(run.exit_code, 1) << run.Output();
  EXPECT_NE(ReadFile(run.err_path).find(expected), std::string::npos) << run.Output();
  Chaosrun halt = RunChaosrun({"halt", "--state-dir", state()}, dir(), "halt");
  EXPECT_EQ(halt.exit_code, 1) << halt.Output();
  EXPECT_FALSE(Exists(state() + "/halt"));
}

}  // namespace
}  // namespace chaosrun::safety_test
