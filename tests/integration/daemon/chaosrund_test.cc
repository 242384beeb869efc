// The real chaosrund process: configuration errors, SIGHUP reloads (valid and refused) and SIGTERM
// while a run holds a real fault (the process driver's `stop` on a sleep this test started).
// States are reached through files (the gate of integration/safety/experiment.h, the journal
// store's index) and polled with a cap; nothing waits for time to pass.
#include "daemon_harness.h"

namespace chaosrun::daemon_test {
namespace {

using safety_test::DriverAction;
using safety_test::Experiment;
using safety_test::Gate;

TEST_F(Chaosrund, EveryConfigErrorIsReportedAndTheDaemonRefusesToStart) {
  Config("bogus: 1\nlimits: {queue_size: -3}\nschedules:\n  - {name: x, cron: '61 * * * *'}\n");
  pid_t pid = SpawnWithFiles({DaemonBinary(), "--config", dir() + "/chaosrund.yaml"},
                             dir() + "/e.out", dir() + "/e.err");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(30)), 2);
  std::string err = Slurp(dir() + "/e.err");
  for (const char* pointer :
       {"/bogus:", "/limits/queue_size:", "/schedules/0/cron:", "/schedules/0/experiment:"}) {
    EXPECT_NE(err.find(pointer), std::string::npos) << pointer << "\n" << err;
  }
  EXPECT_TRUE(Slurp(dir() + "/e.out").empty());
  pid = SpawnWithFiles({DaemonBinary(), "--check-config", dir() + "/chaosrund.yaml"},
                       dir() + "/c.out", dir() + "/c.err");
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(30)), 2);
  Config("");
  pid = SpawnWithFiles({DaemonBinary(), "--check-config", dir() + "/chaosrund.yaml"},
                       dir() + "/c.out", dir() + "/c.err");
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(30)), 0) << Slurp(dir() + "/c.err");
}

TEST_F(Chaosrund, SighupReloadsAValidConfigAndRefusesAnInvalidOne) {
  Config("");
  StartDaemon();
  Config("schedules:\n  - {name: s2, experiment: fast, cron: '@every 1s'}\n");
  ::kill(daemon_, SIGHUP);
  ASSERT_TRUE(PollFor([&] { return EndedRunsOf("s2") >= 1; }, std::chrono::seconds(60)))
      << Slurp(dir() + "/d.err");
  Config(
      "schedules:\n  - {name: s2, experiment: fast, cron: '@every 1s', colour: red}\n"
      "limits: {max_concurrent_runs: 0}\n");
  ::kill(daemon_, SIGHUP);
  ASSERT_TRUE(
      PollFor([&] { return Slurp(dir() + "/d.err").find("reload refused") != std::string::npos; },
              std::chrono::seconds(30)));
  std::string err = Slurp(dir() + "/d.err");
  EXPECT_NE(err.find("/schedules/0/colour"), std::string::npos) << err;
  EXPECT_NE(err.find("/limits/max_concurrent_runs"), std::string::npos) << err;
  // The old configuration stays: s2 goes on firing.
  size_t before = EndedRunsOf("s2");
  ASSERT_TRUE(PollFor([&] { return EndedRunsOf("s2") > before; }, std::chrono::seconds(60)));
  EXPECT_EQ(StopDaemon(), 0) << Slurp(dir() + "/d.err");
}

TEST_F(Chaosrund, SigtermDuringARunHoldingAFaultUndoesItWritesTheJournalAndExitsZero) {
  std::string arg = "300." + std::to_string(::getpid()) + "77";
  target_ = SpawnWithFiles({"sleep", arg}, "/dev/null", "/dev/null");
  ASSERT_GT(target_, 0);
  ASSERT_TRUE(PollFor([&] { return ProcState(target_) == 'S'; }, std::chrono::seconds(30)));
  std::string re = "^sleep 300\\." + std::to_string(::getpid()) + "77$";
  tmp_.Write("experiments/hold.json",
             Experiment("hold", Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}}),
                                             Gate("action", "after", dir())}))
                 .dump(2));
  Config("schedules:\n  - {name: hold, experiment: hold, cron: '@every 1s'}\n");
  StartDaemon();
  ASSERT_TRUE(PollFor([&] { return fs::exists(dir() + "/at_after.1"); }, std::chrono::seconds(60)))
      << Slurp(dir() + "/d.err");
  ASSERT_EQ(ProcState(target_), 'T') << "the fault is applied while the run waits";
  EXPECT_EQ(StopDaemon(), 0) << Slurp(dir() + "/d.err");
  EXPECT_NE(ProcState(target_), 'T') << "the fault was undone";
  EXPECT_FALSE(fs::exists(dir() + "/at_after.2"));  // forbid: no second run meanwhile
  Json runs = Runs();
  ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
  EXPECT_EQ(runs[0]["status"], "interrupted") << runs.dump(2);
  EXPECT_EQ(runs[0]["faults"]["undone"], 1) << runs.dump(2);
  Json journal = Json::parse(Slurp(state() + "/runs/" + runs[0]["id"].get<std::string>() + ".json"),
                             nullptr, false);
  ASSERT_TRUE(journal.is_object());
  EXPECT_EQ(journal["status"], "interrupted");
}

}  // namespace
}  // namespace chaosrun::daemon_test
