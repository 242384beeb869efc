// The two-phase actions end to end through the built .so: prepare (no side effect), apply,
// undo (idempotent), the seeded choice, and the recycled-pid protection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "fixture.h"

namespace chaosrun::process_driver_test {
namespace {

using ::testing::HasSubstr;

// "^sleep 300\.<digits>$": matches only the child started with those unique seconds.
std::string SleepPattern(const std::string& seconds) {
  std::string escaped;
  for (char c : seconds) {
    if (c == '.') escaped += '\\';
    escaped += c;
  }
  return "^sleep " + escaped + "$";
}

TEST_F(ProcessDriverTest, StopThenUndoContinues) {
  const std::string secs = UniqueSeconds();
  const pid_t pid = Spawn({"sleep", secs});
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitUntil([&] { return StateOf(pid) == 'S'; }));
  const Json args{{"cmdline", SleepPattern(secs)}};

  plugin::CallResult plan = Prepare("stop", args);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"], Json::array({"process:sleep/" + std::to_string(pid)}));
  EXPECT_EQ(plan.value["pids"], Json::array({pid}));
  EXPECT_EQ(plan.value["signal_name"], "SIGSTOP");
  EXPECT_EQ(StateOf(pid), 'S') << "prepare must not change anything";

  plugin::CallResult applied = Apply("stop", plan.value);
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_EQ(applied.value["signalled"], Json::array({pid}));
  EXPECT_EQ(applied.value["skipped"], Json::array());
  EXPECT_EQ(applied.value["seed"], plan.value["seed"]);
  ASSERT_TRUE(WaitUntil([&] { return StateOf(pid) == 'T'; }));

  plugin::CallResult running = Probe("running", args);
  ASSERT_TRUE(running.ok()) << running.error();
  EXPECT_EQ(running.value["count"], 1);
  EXPECT_EQ(running.value["stopped"], Json::array({pid}));

  plugin::CallResult undone = Undo("stop", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["continued"], Json::array({pid}));
  ASSERT_TRUE(WaitUntil([&] { return StateOf(pid) == 'S'; }));

  plugin::CallResult again = Undo("stop", plan.value["undo"]);  // idempotent
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(StateOf(pid), 'S');
  EXPECT_EQ(Probe("running", args).value["stopped"], Json::array());
}

TEST_F(ProcessDriverTest, UndoOfStopBeforeApplyIsHarmless) {
  const std::string secs = UniqueSeconds();
  const pid_t pid = Spawn({"sleep", secs});
  plugin::CallResult plan = Prepare("stop", Json{{"pids", {pid}}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  plugin::CallResult undone = Undo("stop", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_NE(StateOf(pid), 'T');
}

TEST_F(ProcessDriverTest, KillThenRestartUndo) {
  const std::string exe = SleepCopy();
  const std::string name = std::filesystem::path(exe).filename().string();
  const pid_t pid = Spawn({exe, "300"});
  ASSERT_GT(pid, 0);
  const Json args{{"name", name}, {"restart", {exe, "300"}}};

  plugin::CallResult plan = Prepare("kill", args);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"], Json::array({"process:" + name + "/" + std::to_string(pid)}));
  EXPECT_EQ(plan.value["signal"], 9);
  EXPECT_EQ(plan.value["undo"]["baseline"], 1);
  EXPECT_NE(StateOf(pid), '?') << "prepare must not change anything";

  plugin::CallResult applied = Apply("kill", plan.value);
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_EQ(applied.value["signalled"], Json::array({pid}));
  EXPECT_EQ(applied.value["exited"], Json::array({pid}));
  Reap(pid);
  EXPECT_TRUE(RunningPids(Json{{"name", name}}).empty());

  plugin::CallResult undone = Undo("kill", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  ASSERT_EQ(undone.value["restarted"].size(), 1u) << undone.value.dump();
  const pid_t restarted = undone.value["restarted"][0].get<pid_t>();
  Adopt(restarted);
  EXPECT_NE(restarted, pid);
  ASSERT_TRUE(WaitUntil([&] {
    return RunningPids(Json{{"name", name}}) == std::vector<int>{restarted};
  }));
  EXPECT_EQ(::getsid(restarted), restarted) << "the restarted instance runs in its own session";

  plugin::CallResult again = Undo("kill", plan.value["undo"]);  // the instance is back: no-op
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again.value["restarted"], Json::array());
  EXPECT_EQ(again.value["present"], Json::array({restarted}));
  EXPECT_EQ(RunningPids(Json{{"name", name}}), std::vector<int>{restarted});
}

TEST_F(ProcessDriverTest, UndoOfKillBeforeApplyStartsNothing) {
  const std::string exe = SleepCopy();
  const std::string name = std::filesystem::path(exe).filename().string();
  const pid_t pid = Spawn({exe, "300"});
  plugin::CallResult plan = Prepare("kill", Json{{"name", name}, {"restart", {exe, "300"}}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  plugin::CallResult undone = Undo("kill", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["restarted"], Json::array());
  EXPECT_EQ(RunningPids(Json{{"name", name}}), std::vector<int>{pid});
}

TEST_F(ProcessDriverTest, KillWithoutRestartIsRefused) {
  const std::string exe = SleepCopy();
  const std::string name = std::filesystem::path(exe).filename().string();
  const pid_t pid = Spawn({exe, "300"});
  plugin::CallResult plan = Prepare("kill", Json{{"name", name}});
  EXPECT_EQ(plan.status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_THAT(plan.error(), HasSubstr("a kill needs `restart`"));
  EXPECT_EQ(RunningPids(Json{{"name", name}}), std::vector<int>{pid});
}

TEST_F(ProcessDriverTest, RestartThatCannotRunFailsTheUndo) {
  const std::string exe = SleepCopy();
  const std::string name = std::filesystem::path(exe).filename().string();
  const pid_t pid = Spawn({exe, "300"});
  plugin::CallResult plan = Prepare(
      "kill", Json{{"name", name}, {"restart", {(tmp_.path() / "no-such-program").string()}}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply("kill", plan.value).ok());
  Reap(pid);
  plugin::CallResult undone = Undo("kill", plan.value["undo"]);
  EXPECT_EQ(undone.status, CHAOSRUN_FAILED);
  EXPECT_THAT(undone.error(), HasSubstr("restart failed"));
}

TEST_F(ProcessDriverTest, CountPercentAndSeedAreReplayable) {
  const std::string exe = SleepCopy();
  const std::string name = std::filesystem::path(exe).filename().string();
  std::vector<int> all;
  for (int i = 0; i < 6; ++i) all.push_back(Spawn({exe, "300"}));
  std::sort(all.begin(), all.end());

  const Json by_count{{"name", name}, {"count", 2}, {"seed", 7}, {"restart", {exe, "300"}}};
  plugin::CallResult a = Prepare("kill", by_count);
  plugin::CallResult b = Prepare("kill", by_count);
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(a.value["seed"], 7);
  EXPECT_EQ(a.value["matched"], 6);
  ASSERT_EQ(a.value["pids"].size(), 2u);
  EXPECT_EQ(a.value["pids"], b.value["pids"]);
  EXPECT_EQ(a.value["undo"]["baseline"], 6);

  plugin::CallResult half = Prepare("stop", Json{{"name", name}, {"percent", 50}});
  ASSERT_TRUE(half.ok()) << half.error();
  EXPECT_EQ(half.value["pids"].size(), 3u);
  ASSERT_TRUE(half.value["seed"].is_number_unsigned());
  plugin::CallResult replay =
      Prepare("stop", Json{{"name", name}, {"percent", 50}, {"seed", half.value["seed"]}});
  EXPECT_EQ(replay.value["pids"], half.value["pids"]);

  // The choice is a subset of the candidates, and prepare touched none of them.
  for (const auto& p : a.value["pids"]) {
    EXPECT_TRUE(std::binary_search(all.begin(), all.end(), p.get<int>()));
  }
  EXPECT_EQ(RunningPids(Json{{"name", name}}), all);
  EXPECT_EQ(Probe("running", Json{{"name", name}}).value["stopped"], Json::array());
}

TEST_F(ProcessDriverTest, UndoNeverSignalsARecycledPid) {
  const std::string secs = UniqueSeconds();
  const pid_t pid = Spawn({"sleep", secs});
  plugin::CallResult plan = Prepare("stop", Json{{"pids", {pid}}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply("stop", plan.value).ok());
  ASSERT_TRUE(WaitUntil([&] { return StateOf(pid) == 'T'; }));

  // The undo as if the pid now belonged to another process (a different start time).
  Json recycled = plan.value["undo"];
  recycled["processes"][0]["start_time"] =
      recycled["processes"][0]["start_time"].get<uint64_t>() + 1;
  plugin::CallResult skipped = Undo("stop", recycled);
  ASSERT_TRUE(skipped.ok()) << skipped.error();
  EXPECT_EQ(skipped.value["continued"], Json::array());
  ASSERT_EQ(skipped.value["skipped"].size(), 1u);
  EXPECT_EQ(skipped.value["skipped"][0]["pid"], pid);
  EXPECT_THAT(skipped.value["skipped"][0]["reason"].get<std::string>(), HasSubstr("pid reused"));
  EXPECT_EQ(StateOf(pid), 'T') << "a recycled pid must not be signalled";

  // Apply checks the same way.
  Json plan_recycled = plan.value;
  plan_recycled["processes"] = recycled["processes"];
  EXPECT_EQ(Apply("stop", plan_recycled).status, CHAOSRUN_FAILED);

  ASSERT_TRUE(Undo("stop", plan.value["undo"]).ok());
  ASSERT_TRUE(WaitUntil([&] { return StateOf(pid) == 'S'; }));
}

}  // namespace
}  // namespace chaosrun::process_driver_test
