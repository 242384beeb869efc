// prepare records who a killed process ran as (for its restart), refuses when that cannot be
// read unless restart names a user, and marks a selection no count or percent bounds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_proc.h"
#include "process/actions.h"
#include "process/args.h"
#include "process/credentials.h"

namespace chaosrun::drivers::process {
namespace {

using nlohmann::json;
using testing::FakeProc;
using ::testing::HasSubstr;

class IdentityPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.proc_root = fp_.root();
    fp_.Add(kPid, "worker", "worker --id 1", 'S', 3000);
    fp_.Add(kPid + 1, "worker", "worker --id 2", 'S', 3001);
  }
  static constexpr int kPid = FakeProc::kBase + 100;
  FakeProc fp_;
  Env env_;
};

TEST_F(IdentityPlanTest, KillRecordsUidGidGroupsCwdAndEnvironment) {
  sdk::Reply r = Prepare("kill", json{{"cmdline", "--id 1$"}, {"restart", {"worker"}}}, env_);
  ASSERT_EQ(r.status, CHAOSRUN_OK) << r.value.dump();
  const json& as = r.value["undo"]["killed"][0]["as"];
  EXPECT_EQ(as["uid"], json::array({1000, 1001}));
  EXPECT_EQ(as["gid"], json::array({2000, 2001}));
  EXPECT_EQ(as["groups"], json::array({5, 6}));
  EXPECT_EQ(as["cwd"], "/tmp");
  EXPECT_EQ(as["environ"], json::array({"FAKE=1", "PATH=/usr/bin:/bin"}));
  Credentials c;
  EXPECT_EQ(ParseCredentials(as, &c), "");
  EXPECT_EQ(c.euid, 1001u);
  EXPECT_EQ(EnvValue(c.env, "PATH"), "/usr/bin:/bin");
}

TEST_F(IdentityPlanTest, UnreadableIdentityRefusesUnlessRestartNamesAUser) {
  for (const char* file : {"environ", "cwd", "status"}) {
    FakeProc fp;
    fp.Add(kPid, "worker", "worker --id 1");
    fp.Unreadable(kPid, file);
    Env env;
    env.proc_root = fp.root();
    sdk::Reply r = Prepare("kill", json{{"pids", {kPid}}, {"restart", {"worker"}}}, env);
    ASSERT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT) << file;
    EXPECT_THAT(r.value["error"].get<std::string>(), HasSubstr("\"user\"")) << file;
    sdk::Reply named = Prepare(
        "kill", json{{"pids", {kPid}}, {"restart", {{"argv", {"worker"}}, {"user", "nobody"}}}},
        env);
    ASSERT_EQ(named.status, CHAOSRUN_OK) << named.value.dump();
    const json& as = named.value["undo"]["restart_as"];
    EXPECT_EQ(as["user"], "nobody");
    EXPECT_EQ(as["uid"][0], 65534);
    EXPECT_FALSE(named.value["undo"]["killed"][0].contains("as"));
  }
}

TEST_F(IdentityPlanTest, RestartObjectIsChecked) {
  ActionSpec s;
  EXPECT_EQ(
      ParseActionArgs("kill", json{{"name", "x"}, {"restart", {{"argv", {"x"}}, {"user", 7}}}}, &s),
      "");
  EXPECT_EQ(s.restart_user, "7");
  EXPECT_THAT(ParseActionArgs("kill", json{{"name", "x"}, {"restart", {{"user", "a"}}}}, &s),
              HasSubstr("restart.argv"));
  EXPECT_THAT(
      ParseActionArgs("kill", json{{"name", "x"}, {"restart", {{"argv", {"x"}}, {"uid", 1}}}}, &s),
      HasSubstr("'uid'"));
  EXPECT_THAT(ParseActionArgs(
                  "kill", json{{"name", "x"}, {"restart", {{"argv", {"x"}}, {"user", true}}}}, &s),
              HasSubstr("restart.user"));
  EXPECT_EQ(
      Prepare("kill",
              json{{"pids", {kPid}}, {"restart", {{"argv", {"x"}}, {"user", "no-such-user-x"}}}},
              env_)
          .status,
      CHAOSRUN_INVALID_ARGUMENT);
}

TEST_F(IdentityPlanTest, ASelectionOfSeveralWithoutCountIsMarkedUnbounded) {
  sdk::Reply all = Prepare("stop", json{{"name", "worker"}}, env_);
  ASSERT_EQ(all.status, CHAOSRUN_OK);
  EXPECT_EQ(all.value["matched"], 2);
  EXPECT_EQ(all.value["unbounded"], true);
  EXPECT_EQ(Prepare("stop", json{{"name", "worker"}, {"count", 2}}, env_).value["unbounded"],
            false);
  EXPECT_EQ(Prepare("stop", json{{"name", "worker"}, {"percent", 100}}, env_).value["unbounded"],
            false);
  EXPECT_EQ(Prepare("stop", json{{"cmdline", "--id 1$"}}, env_).value["unbounded"], false);
  // Pids are named one by one: the experiment counted them.
  EXPECT_EQ(Prepare("stop", json{{"pids", {kPid, kPid + 1}}}, env_).value["unbounded"], false);
}

}  // namespace
}  // namespace chaosrun::drivers::process
