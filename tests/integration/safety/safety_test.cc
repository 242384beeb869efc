// Issue 3, proofs 2–6, end to end with the REAL chaosrun binary on processes this test started:
// refusals of the blast radius (nothing touched), the watchdog undoing the fault of a hung
// method, a failing safeguard, the kill switch, and a real redis-server killed and restarted.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "experiment.h"
#include "harness.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

namespace chaosrun::safety_test {
namespace {

std::string Exceptions(const Json& record) {
  std::string out;
  if (record.contains("exception") && record["exception"].is_array()) {
    for (const auto& e : record["exception"])
      out += e.is_string() ? e.get<std::string>() : e.dump();
  }
  return out;
}

// The record of activity `name` in the journal's `run` (null if absent).
Json RunRecord(const Json& journal, const std::string& name) {
  if (!journal.is_object() || !journal.contains("run")) return nullptr;
  for (const auto& r : journal["run"]) {
    if (r.contains("activity") && r["activity"].value("name", "") == name) return r;
  }
  return nullptr;
}

class SafetyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chaosrun::testing::BecomeChildSubreaper(); }

  void TearDown() override {
    Touch(dir() + "/abort");
    for (pid_t p : children_) KillAndReap(p);
    ReapExited();
  }

  std::string dir() const { return tmp_.path().string(); }
  std::string state() const { return dir() + "/state"; }
  std::string journal_path() const { return dir() + "/journal.json"; }

  // A `sleep 300.<unique>` child; `*regex` receives an anchored cmdline pattern for it.
  pid_t Sleeper(std::string* regex) {
    std::string arg = "300." + std::to_string(::getpid()) + std::to_string(++counter_) + "7";
    pid_t p = Spawn({"sleep", arg});
    children_.push_back(p);
    std::string escaped = arg;
    escaped.replace(escaped.find('.'), 1, "\\.");
    if (regex != nullptr) *regex = "^sleep " + escaped + "$";
    EXPECT_TRUE(WaitUntil([&] { return StateOf(p) == 'S'; }));
    return p;
  }

  Chaosrun Run(const Json& experiment, std::vector<std::string> extra = {},
               const std::string& tag = "run") {
    std::string path = tmp_.Write(tag + ".json", experiment.dump(2));
    std::vector<std::string> args = {"run",         path, "--state-dir", state(), "--journal-path",
                                     journal_path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunChaosrun(args, dir(), tag);
  }

  Json Journal() { return LoadJson(journal_path()); }

  // The activity failed, naming `rule`, and says what was refused; the run is aborted (exit 1:
  // a drill that injected nothing does not pass); no fault of it was applied; nothing is pending.
  void ExpectRefused(const Chaosrun& c, const std::string& activity, const std::string& rule) {
    Json j = Journal();
    ASSERT_TRUE(j.is_object()) << c.Output();
    EXPECT_EQ(c.exit_code, 1) << c.Output();
    EXPECT_EQ(j.value("status", ""), "aborted") << j.dump(2);
    Json r = RunRecord(j, activity);
    ASSERT_TRUE(r.is_object()) << "no record of " << activity << "\n" << j.dump(2);
    EXPECT_EQ(r.value("status", ""), "failed") << r.dump(2);
    EXPECT_TRUE(r.contains("refusal") && r["refusal"].contains("phase")) << r.dump(2);
    EXPECT_NE(Exceptions(r).find(rule), std::string::npos)
        << "the refusal does not name '" << rule << "': " << Exceptions(r);
    if (j.contains("faults")) {
      for (const auto& f : j["faults"]) {
        if (f.value("activity", "") == activity) {
          EXPECT_FALSE(f.value("applied", true)) << "refused fault applied: " << f.dump();
        }
      }
    }
    EXPECT_TRUE(LedgerEmpty(state())) << ReadFile(state() + "/ledger.jsonl");
  }

  void ExpectUntouched(pid_t p, const std::string& what) {
    EXPECT_EQ(StateOf(p), 'S') << what;
    EXPECT_FALSE(WasStoppedOrContinued(p)) << what << " was stopped or continued";
  }

  chaosrun::testing::TempDir tmp_;
  std::vector<pid_t> children_;
  int counter_ = 0;
};

// ---- 2. Refusals: nothing touched -------------------------------------------------------

TEST_F(SafetyTest, DenyPatternRefusesAndTouchesNothing) {
  std::string re;
  pid_t p = Sleeper(&re);
  Json e = Experiment("deny", Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}})}));
  e["blast-radius"] = {{"deny", Json::array({"process:sleep/*"})}};
  Chaosrun c = Run(e);
  ExpectRefused(c, "stop-it", "deny pattern 'process:sleep/*'");
  ExpectUntouched(p, "the sleeper");
}

TEST_F(SafetyTest, ProtectedPidOneIsRefusedByTheDriver) {
  Json e = Experiment("pid 1", Json::array({DriverAction("stop-init", "stop", {{"pids", {1}}})}));
  Chaosrun c = Run(e);
  ExpectRefused(c, "stop-init", "protected");
  EXPECT_NE(StateOf(1), 'T');
}

TEST_F(SafetyTest, BuiltInProtectedNameIsRefused) {
  // A copy of sleep named `sshd`: comm "sshd" matches the built-in pattern process:sshd/*. It is
  // selected by its unique command line (not by `name`), so that even a broken guard could only
  // ever reach this test's own process, never a real sshd of the machine.
  std::string copy = dir() + "/sshd";
  std::filesystem::copy_file("/bin/sleep", copy);
  ::chmod(copy.c_str(), 0755);
  std::string arg = "300." + std::to_string(::getpid()) + "55";
  pid_t p = Spawn({copy, arg});
  children_.push_back(p);
  ASSERT_TRUE(WaitUntil([&] { return StateOf(p) == 'S'; }));
  std::string re = "sshd 300\\." + std::to_string(::getpid()) + "55$";
  Json e = Experiment("protected name",
                      Json::array({DriverAction("stop-sshd", "stop", {{"cmdline", re}})}));
  Chaosrun c = Run(e);
  ExpectRefused(c, "stop-sshd", "built-in protected pattern 'process:sshd/*'");
  ExpectUntouched(p, "the process named sshd");
}

TEST_F(SafetyTest, TooManyTargetsPerActionIsRefused) {
  std::string r1, r2, r3;
  pid_t a = Sleeper(&r1), b = Sleeper(&r2), c = Sleeper(&r3);
  std::string re = "(" + r1 + ")|(" + r2 + ")|(" + r3 + ")";
  Json e = Experiment("per action",
                      Json::array({DriverAction("stop-three", "stop", {{"cmdline", re}})}));
  e["blast-radius"] = {{"max-targets-per-action", 2}};
  Chaosrun run = Run(e);
  ExpectRefused(run, "stop-three", "max-targets-per-action 2");
  ExpectUntouched(a, "A");
  ExpectUntouched(b, "B");
  ExpectUntouched(c, "C");
}

TEST_F(SafetyTest, TooManyTargetsPerRunIsRefused) {
  std::string r1, r2, r3;
  pid_t a = Sleeper(&r1), b = Sleeper(&r2), c = Sleeper(&r3);
  Json e = Experiment(
      "per run",
      Json::array({DriverAction("stop-a", "stop", {{"cmdline", r1}}),
                   DriverAction("stop-b-and-c", "stop",
                                {{"cmdline", "(" + r2 + ")|(" + r3 + ")"}, {"count", 2}})}));
  e["blast-radius"] = {{"max-targets", 2}};
  Chaosrun run = Run(e);
  EXPECT_EQ(RunRecord(Journal(), "stop-a").value("status", ""), "succeeded") << run.Output();
  ExpectRefused(run, "stop-b-and-c", "max-targets 2");
  ExpectUntouched(b, "B");
  ExpectUntouched(c, "C");
  EXPECT_TRUE(WasStoppedOrContinued(a)) << "A (admitted) was never stopped";
  EXPECT_TRUE(WaitUntil([&] { return IsRunning(a); })) << "A was not undone";
}

TEST_F(SafetyTest, DurationAboveMaxDurationIsRefused) {
  std::string re;
  pid_t p = Sleeper(&re);
  Json e = Experiment("duration",
                      Json::array({DriverAction("stop-long", "stop", {{"cmdline", re}}, 30)}));
  e["blast-radius"] = {{"max-duration", 5}};
  Chaosrun c = Run(e);
  ExpectRefused(c, "stop-long", "max-duration");
  ExpectUntouched(p, "the sleeper");
}

TEST_F(SafetyTest, OperatorPolicyFileNarrowsTheExperiment) {
  std::string re;
  pid_t p = Sleeper(&re);
  Json e = Experiment("policy", Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}})}));
  e["blast-radius"] = {{"allow", Json::array({"process:sleep/*"})}};  // the experiment allows it
  std::string policy = tmp_.Write("policy.json", R"({"allow": ["process:redis-server/*"]})");
  Chaosrun c = Run(e, {"--policy", policy});
  ExpectRefused(c, "stop-it", "matches no allow pattern of " + policy);
  ExpectUntouched(p, "the sleeper");
}

// ---- 3. Watchdog ------------------------------------------------------------------------

TEST_F(SafetyTest, WatchdogUndoesTheFaultOfAHungMethod) {
  std::string re;
  pid_t p = Sleeper(&re);
  std::string wait_resumed = "for i in $(seq 600); do grep -q '^State:.*T' /proc/" +
                             std::to_string(p) + "/status || exit 0; sleep 0.05; done; exit 1";
  Json e =
      Experiment("watchdog", Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}}, 1),
                                          Shell("hang-until-resumed", wait_resumed, dir())}));
  Chaosrun c = Run(e);
  EXPECT_EQ(c.exit_code, 0) << c.Output();
  Json j = Journal();
  ASSERT_TRUE(j.is_object()) << c.Output();
  EXPECT_TRUE(WasStoppedOrContinued(p)) << "the fault was never applied";
  Json hang = RunRecord(j, "hang-until-resumed");
  EXPECT_EQ(hang.value("status", ""), "succeeded") << hang.dump(2);
  EXPECT_EQ(hang["output"].value("status", -1), 0) << "the method was not released by the watchdog";
  bool watchdog_undo = false;
  for (const auto& r : j["rollbacks"]) {
    if (r.value("reason", "").find("watchdog") != std::string::npos &&
        r.value("status", "") == "succeeded") {
      watchdog_undo = true;
    }
  }
  EXPECT_TRUE(watchdog_undo) << j["rollbacks"].dump(2);
  ASSERT_TRUE(j.contains("faults") && j["faults"].size() == 1) << j.dump(2);
  EXPECT_EQ(j["faults"][0].value("undone_by", ""), "watchdog: maximum duration reached");
  EXPECT_TRUE(IsRunning(p)) << StateOf(p);
  EXPECT_TRUE(LedgerEmpty(state()));
}

// ---- 4. Safeguard failure -----------------------------------------------------------------

TEST_F(SafetyTest, FailingSafeguardInterruptsAndUndoes) {
  std::string re;
  pid_t p = Sleeper(&re);
  std::string trip = dir() + "/tripwire";
  std::string finished = dir() + "/long-step-finished";
  Json e = Experiment(
      "safeguard",
      Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}}),
                   Shell("trip-the-wire", ": > \"$1/tripwire\"", dir()),
                   Shell("long-step",
                         "for i in $(seq 600); do [ -e \"$1/abort\" ] && exit 1; sleep 0.05; "
                         "done; : > \"$1/long-step-finished\"",
                         dir())}));
  e["safeguards"] = {
      {"frequency", 0.1},
      {"probes", Json::array({{{"type", "probe"},
                               {"name", "no-tripwire"},
                               {"tolerance", 0},
                               {"provider",
                                {{"type", "process"},
                                 {"path", "sh"},
                                 {"arguments", Json::array({"-c", "test ! -e \"$1\"", "sh", trip})},
                                 {"timeout", 10}}}}})}};
  Chaosrun c = Run(e);
  EXPECT_EQ(c.exit_code, 1) << c.Output();
  Json j = Journal();
  ASSERT_TRUE(j.is_object()) << c.Output();
  EXPECT_EQ(j.value("status", ""), "interrupted") << c.Output();
  EXPECT_NE(j.value("interruption", "").find("safeguard 'no-tripwire' failed"), std::string::npos)
      << j.value("interruption", "");
  EXPECT_TRUE(WasStoppedOrContinued(p)) << "the fault was never applied";
  EXPECT_TRUE(IsRunning(p)) << StateOf(p);
  EXPECT_FALSE(Exists(finished)) << "the long method step was not cut short";
  Json long_step = RunRecord(j, "long-step");
  EXPECT_NE(long_step.value("status", ""), "succeeded") << long_step.dump(2);
  ASSERT_TRUE(j.contains("faults") && j["faults"].size() == 1) << j.dump(2);
  EXPECT_TRUE(j["faults"][0].value("undone", false));
  EXPECT_NE(j["faults"][0].value("undone_by", "").find("safeguard"), std::string::npos)
      << j["faults"][0].dump();
  EXPECT_TRUE(j.contains("safeguards")) << "no safeguard states in the journal";
  EXPECT_TRUE(LedgerEmpty(state()));
}

// ---- 5. Kill switch -------------------------------------------------------------------------

TEST_F(SafetyTest, KillSwitchStopsARunRefusesNewFaultsUntilCleared) {
  std::string re_x, re_y;
  pid_t x = Sleeper(&re_x);
  pid_t y = Sleeper(&re_y);
  Json trivial = Json::array({{{"type", "probe"},
                               {"name", "always-fine"},
                               {"tolerance", 0},
                               {"provider", {{"type", "process"}, {"path", "true"}}}}});

  // Run 1: halted while its method is in a long step.
  Json e1 = Experiment("halted", Json::array({DriverAction("stop-x", "stop", {{"cmdline", re_x}}),
                                              Gate("action", "long1", dir())}));
  e1["safeguards"] = {{"frequency", 0.1}, {"probes", trivial}};
  std::string p1 = tmp_.Write("run1.json", e1.dump(2));
  Chaosrun run1 = StartChaosrun(
      {"run", p1, "--state-dir", state(), "--journal-path", dir() + "/j1.json"}, dir(), "run1");
  ASSERT_TRUE(WaitUntil([&] { return Exists(dir() + "/at_long1.1"); })) << run1.Output();
  ASSERT_TRUE(IsStopped(x));
  Chaosrun halt = RunChaosrun({"halt", "--state-dir", state()}, dir(), "halt");
  EXPECT_EQ(halt.exit_code, 0) << halt.Output();
  EXPECT_TRUE(Exists(state() + "/halt"));
  ASSERT_TRUE(WaitChaosrun(run1, std::chrono::seconds(20)))
      << "the run did not stop on the kill switch\n"
      << run1.Output();
  EXPECT_EQ(run1.exit_code, 1) << run1.Output();
  Json j1 = LoadJson(dir() + "/j1.json");
  EXPECT_EQ(j1.value("status", ""), "interrupted") << run1.Output();
  EXPECT_NE(j1.value("interruption", "").find("kill switch"), std::string::npos)
      << j1.value("interruption", "");
  EXPECT_TRUE(IsRunning(x)) << StateOf(x);
  EXPECT_FALSE(Exists(dir() + "/go_long1.1"));  // it was the kill switch, not the gate

  // Run 2: halted before its fault, while a step with a slow safeguard loop (1 h) is in progress:
  // the run's kill-switch watcher (inotify) interrupts that step at once, and the fault is never
  // applied. (A fault about to be applied under the kill switch is refused by the fault manager:
  // tests/unit/faults.)
  Json e2 =
      Experiment("refused", Json::array({Gate("action", "before2", dir()),
                                         DriverAction("stop-y", "stop", {{"cmdline", re_y}})}));
  e2["safeguards"] = {{"frequency", 3600}, {"probes", trivial}};
  Chaosrun clear0 = RunChaosrun({"halt", "--clear", "--state-dir", state()}, dir(), "clear0");
  EXPECT_EQ(clear0.exit_code, 0);
  std::string p2 = tmp_.Write("run2.json", e2.dump(2));
  Chaosrun run2 = StartChaosrun(
      {"run", p2, "--state-dir", state(), "--journal-path", dir() + "/j2.json"}, dir(), "run2");
  ASSERT_TRUE(WaitUntil([&] { return Exists(dir() + "/at_before2.1"); })) << run2.Output();
  Chaosrun halt2 = RunChaosrun({"halt", "--state-dir", state()}, dir(), "halt2");
  EXPECT_EQ(halt2.exit_code, 0);
  ASSERT_TRUE(WaitChaosrun(run2, std::chrono::seconds(30))) << run2.Output();
  EXPECT_EQ(run2.exit_code, 1) << run2.Output();
  EXPECT_FALSE(Exists(dir() + "/go_before2.1"));  // it was the kill switch, not the gate
  Json j2 = LoadJson(dir() + "/j2.json");
  EXPECT_EQ(j2.value("status", ""), "interrupted") << j2.dump(2);
  EXPECT_NE(j2.value("interruption", "").find("kill switch"), std::string::npos) << j2.dump(2);
  EXPECT_FALSE(RunRecord(j2, "stop-y").is_object()) << j2.dump(2);
  ExpectUntouched(y, "Y while halted");

  // Run 3: a run started while halted does not run its method at all.
  Json e3 = Experiment("still halted",
                       Json::array({DriverAction("stop-y", "stop", {{"cmdline", re_y}})}));
  Chaosrun run3 = Run(e3, {}, "run3");
  EXPECT_EQ(run3.exit_code, 1) << run3.Output();
  EXPECT_NE(Journal().value("interruption", "").find("kill switch"), std::string::npos)
      << Journal().dump(2);
  ExpectUntouched(y, "Y while halted (new run)");

  // Cleared: faults apply again.
  Chaosrun clear = RunChaosrun({"halt", "--clear", "--state-dir", state()}, dir(), "clear");
  EXPECT_EQ(clear.exit_code, 0) << clear.Output();
  EXPECT_FALSE(Exists(state() + "/halt"));
  Chaosrun run4 = Run(e3, {}, "run4");
  EXPECT_EQ(run4.exit_code, 0) << run4.Output();
  Json j4 = Journal();
  ASSERT_TRUE(j4.contains("faults") && j4["faults"].size() == 1) << j4.dump(2);
  EXPECT_TRUE(j4["faults"][0].value("applied", false));
  EXPECT_TRUE(j4["faults"][0].value("undone", false));
  EXPECT_TRUE(WasStoppedOrContinued(y)) << "Y was never stopped after --clear";
  EXPECT_TRUE(IsRunning(y));
  EXPECT_TRUE(LedgerEmpty(state()));
}

// ---- 6. Redis, end to end -------------------------------------------------------------------

class RedisTest : public SafetyTest {
 protected:
  void TearDown() override {
    if (port_ > 0) {
      for (pid_t p : PidsWithCmdline("127.0.0.1:" + std::to_string(port_))) {
        std::string comm = ReadFile("/proc/" + std::to_string(p) + "/comm");
        if (comm.rfind("redis-server", 0) == 0) KillAndReap(p);
      }
    }
    SafetyTest::TearDown();
  }
  int port_ = -1;
};

TEST_F(RedisTest, KilledRedisIsNoticedRestartedAndTheHypothesisHoldsAfter) {
  ASSERT_TRUE(Exists("/usr/bin/redis-server") && Exists("/usr/bin/redis-cli"))
      << "redis-server/redis-cli are missing: install the Debian package redis-server "
         "(scripts/setup.sh does)";
  port_ = FreePort();
  ASSERT_GT(port_, 0);
  std::string port = std::to_string(port_);
  std::string pidfile = dir() + "/redis.pid";
  pid_t redis = Spawn({"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                       "--appendonly", "no", "--daemonize", "no", "--pidfile", pidfile});
  children_.push_back(redis);
  ASSERT_TRUE(WaitUntil([&] {
    pid_t cli = Spawn({"sh", "-c", "redis-cli -p \"$1\" ping | grep -q PONG", "sh", port});
    int st = 0;
    ::waitpid(cli, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
  })) << "the test's redis-server never answered on port "
      << port;

  std::string exp =
      std::string(CHAOSRUN_SOURCE_DIR) + "/experiments/redis/redis-killed-and-restarted.json";
  ASSERT_TRUE(Exists(exp)) << exp;
  Chaosrun c = RunChaosrun(
      {"run", exp, "--state-dir", state(), "--journal-path", journal_path(),
       "--hypothesis-frequency", "0.1", "--var", "port=" + port, "--var", "pidfile=" + pidfile},
      dir(), "redis");
  Json j = Journal();
  ASSERT_TRUE(j.is_object()) << c.Output();
  EXPECT_EQ(c.exit_code, 0) << c.Output();
  EXPECT_EQ(j.value("status", ""), "completed") << c.Output();
  EXPECT_FALSE(j.value("deviated", true));
  bool noticed = false;
  for (const auto& s : j["steady_states"]["during"]) {
    if (!s.value("steady_state_met", true)) noticed = true;
  }
  EXPECT_TRUE(noticed) << "the continuous hypothesis never noticed redis was down: "
                       << j["steady_states"]["during"].dump(2);
  bool undo = false;
  for (const auto& r : j["rollbacks"]) {
    if (r.contains("fault") && r.value("status", "") == "succeeded") undo = true;
  }
  EXPECT_TRUE(undo) << j["rollbacks"].dump(2);
  EXPECT_TRUE(j["steady_states"]["after"].value("steady_state_met", false))
      << j["steady_states"].dump(2);
  EXPECT_EQ(StateOf(redis), 'Z') << "the original redis-server was not killed";
  std::vector<pid_t> now;
  for (pid_t p : PidsWithCmdline("127.0.0.1:" + port)) {
    if (ReadFile("/proc/" + std::to_string(p) + "/comm").rfind("redis-server", 0) == 0 &&
        p != redis) {
      now.push_back(p);
    }
  }
  EXPECT_EQ(now.size(), 1u) << "expected exactly one restarted redis-server on port " << port;
  EXPECT_TRUE(LedgerEmpty(state()));
}

}  // namespace
}  // namespace chaosrun::safety_test
