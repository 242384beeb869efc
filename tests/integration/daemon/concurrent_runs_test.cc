// Two runs of the real chaosrund, each holding a real fault (the process driver's `stop` on a
// sleep this test started) at the same time: neither counts the other's fault as "pending from an
// earlier run", both run to the end and both undo.
//
// The order is forced, never hoped for. The first run must reach the ledger check only after
// the second has applied its fault (the daemon prepared the first before the second existed):
// both slots are held by gated runs while the two are queued, the first one's experiment file is
// then swapped for a FIFO (the daemon resolved the name when it queued it and reads the file when
// the run starts), so that run waits in its read until the second run holds its fault and this
// test writes the experiment into the FIFO. The FIFO is only this test's device to hold a run
// before its ledger check.
#include <sys/stat.h>

#include "daemon_harness.h"

namespace chaosrun::daemon_test {
namespace {

using safety_test::DriverAction;
using safety_test::Experiment;
using safety_test::Gate;

class ConcurrentDaemonRuns : public Chaosrund {
 protected:
  void Touch(const std::string& name) { std::ofstream(dir() + "/" + name) << ""; }
  bool Exists(const std::string& name) { return fs::exists(dir() + "/" + name); }
  std::string Status(const std::string& experiment) {
    Json r = RunOf(experiment);
    return r.is_object() ? r.value("status", "") : "";
  }
  // Writes `text` into the FIFO once a reader has it open (polled with a cap).
  bool FeedFifo(const std::string& path, const std::string& text) {
    int fd = -1;
    PollFor(
        [&] {
          fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
          return fd >= 0;
        },
        std::chrono::seconds(30));
    if (fd < 0) return false;
    ::fcntl(fd, F_SETFL, 0);  // blocking writes from here on
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
  }
};

TEST_F(ConcurrentDaemonRuns, TwoRunsHoldingFaultsAtOnceBothRunAndBothUndo) {
  std::string re_a, re_b;
  pid_t target_a = SpawnTarget("81", re_a);
  pid_t target_b = SpawnTarget("82", re_b);
  ASSERT_GT(target_a, 0);
  ASSERT_GT(target_b, 0);
  auto holding = [&](const std::string& name, const std::string& re) {
    return Experiment(name, Json::array({DriverAction("stop-" + name, "stop", {{"cmdline", re}}),
                                         Gate("action", name, dir())}));
  };
  std::string a_text = holding("a", re_a).dump(2);
  tmp_.Write("experiments/a.json", a_text);
  tmp_.Write("experiments/b.json", holding("b", re_b).dump(2));
  tmp_.Write("experiments/x.json",
             Experiment("x", Json::array({Gate("action", "x", dir())})).dump());
  tmp_.Write("experiments/y.json",
             Experiment("y", Json::array({Gate("action", "y", dir())})).dump());
  Config("limits: {max_concurrent_runs: 2, queue_size: 4}\n");
  StartDaemon();

  // Both slots held; a then b queued behind them.
  ASSERT_EQ(Remote({"start", "x"}), 0) << Slurp(dir() + "/remote.err");
  ASSERT_TRUE(PollFor([&] { return Exists("at_x.1"); }, std::chrono::seconds(60)));
  ASSERT_EQ(Remote({"start", "y"}), 0) << Slurp(dir() + "/remote.err");
  ASSERT_TRUE(PollFor([&] { return Exists("at_y.1"); }, std::chrono::seconds(60)));
  std::string out;
  ASSERT_EQ(Remote({"start", "a"}, &out), 0) << Slurp(dir() + "/remote.err");
  EXPECT_NE(out.find("(queued)"), std::string::npos) << out;
  ASSERT_EQ(Remote({"start", "b"}, &out), 0) << Slurp(dir() + "/remote.err");
  EXPECT_NE(out.find("(queued)"), std::string::npos) << out;
  fs::remove(dir() + "/experiments/a.json");
  ASSERT_EQ(::mkfifo((dir() + "/experiments/a.json").c_str(), 0600), 0);

  // x ends: a starts and waits in its read. y ends: b starts and applies its fault.
  Touch("go_x.1");
  ASSERT_TRUE(PollFor([&] { return Status("a") == "running"; }, std::chrono::seconds(60)))
      << Runs().dump(2);
  Touch("go_y.1");
  ASSERT_TRUE(PollFor([&] { return Exists("at_b.1"); }, std::chrono::seconds(60)))
      << Slurp(dir() + "/d.err");
  ASSERT_EQ(ProcState(target_b), 'T') << "b holds its fault";
  EXPECT_EQ(Status("a"), "running");

  // Now a checks the ledger, where b's fault is: b is in flight, so a runs.
  ASSERT_TRUE(FeedFifo(dir() + "/experiments/a.json", a_text));
  ASSERT_TRUE(PollFor([&] { return Exists("at_a.1") || Status("a") != "running"; },
                      std::chrono::seconds(60)));
  ASSERT_TRUE(Exists("at_a.1")) << RunOf("a").dump(2) << "\n" << Slurp(dir() + "/d.err");
  EXPECT_EQ(ProcState(target_a), 'T');
  EXPECT_EQ(ProcState(target_b), 'T');  // both faults applied at once

  Touch("go_a.1");
  Touch("go_b.1");
  ASSERT_TRUE(PollFor([&] { return Status("a") == "completed" && Status("b") == "completed"; },
                      std::chrono::seconds(60)))
      << Runs().dump(2);
  EXPECT_NE(ProcState(target_a), 'T') << "a's fault was undone";
  EXPECT_NE(ProcState(target_b), 'T') << "b's fault was undone";
  for (const char* name : {"a", "b"}) {
    Json r = RunOf(name);
    EXPECT_EQ(r["faults"]["applied"], 1) << r.dump(2);
    EXPECT_EQ(r["faults"]["undone"], 1) << r.dump(2);
    EXPECT_EQ(r["faults"]["left"], 0) << r.dump(2);
    EXPECT_EQ(r["exit_code"], 0) << r.dump(2);
  }
  EXPECT_EQ(StopDaemon(), 0) << Slurp(dir() + "/d.err");
}

}  // namespace
}  // namespace chaosrun::daemon_test
