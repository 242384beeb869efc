#include "guard/guard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/temp_dir.h"

namespace chaosrun::guard {
namespace {

Policy P(const std::string& json, const std::string& origin = "experiment") {
  auto p = ParsePolicy(Json::parse(json), origin);
  EXPECT_TRUE(p.has_value()) << p.error().message();
  return *p;
}

TEST(Policy, RejectsUnknownKeysAndWrongTypesWithPointers) {
  auto problems = CheckPolicyJson(
      Json::parse(R"({"allow": "x", "deny": [1], "max-targets": -1, "max-duration": 0,
                      "max-targets-per-action": 1.5, "colour": "red"})"),
      "/blast-radius");
  ASSERT_EQ(problems.size(), 6u);
  EXPECT_EQ(problems[0].first, "/blast-radius/allow");
  EXPECT_EQ(problems[5].first, "/blast-radius/colour");
  EXPECT_NE(problems[5].second.find("unknown blast-radius key"), std::string::npos);
  EXPECT_EQ(CheckPolicyJson(Json::array(), "/blast-radius").size(), 1u);
}

TEST(Guard, DenyPatternRefusesAndNamesTheRule) {
  Guard g({P(R"({"deny": ["process:redis-*/*"]})")}, {1});
  Status st = g.Admit({"process:redis-server/4242"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("deny pattern 'process:redis-*/*'"), std::string::npos);
  EXPECT_EQ(g.admitted(), 0);
}

TEST(Guard, AllowListMustMatchEveryLayer) {
  Guard g({P(R"({"allow": ["process:worker/*"]})"),
           P(R"({"allow": ["process:*/100"]})", "/etc/chaosrun/policy.json")},
          {1});
  EXPECT_TRUE(g.Admit({"process:worker/100"}).ok());
  Status st = g.Admit({"process:worker/101"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/etc/chaosrun/policy.json"), std::string::npos);
}

TEST(Guard, ProtectedPidsAndBuiltInPatterns) {
  Guard g({}, ProtectedPids());
  EXPECT_FALSE(g.Admit({"process:anything/1"}).ok());
  EXPECT_FALSE(g.Admit({"process:me/" + std::to_string(::getpid())}).ok());
  EXPECT_FALSE(g.Admit({"process:me/" + std::to_string(::getppid())}).ok());
  EXPECT_FALSE(g.Admit({"process:sshd/777"}).ok());
  EXPECT_FALSE(g.Admit({"unit:sshd.service"}).ok());
  EXPECT_TRUE(g.Admit({"process:sleep/999999"}).ok());
}

TEST(Guard, CountsTargetsPerActionAndPerRun) {
  Guard g({P(R"({"max-targets-per-action": 2, "max-targets": 3})")}, {1});
  EXPECT_FALSE(g.Admit({"process:a/10", "process:a/11", "process:a/12"}).ok());
  EXPECT_TRUE(g.Admit({"process:a/10", "process:a/11"}).ok());
  Status st = g.Admit({"process:a/12", "process:a/13"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("max-targets 3"), std::string::npos);
  EXPECT_TRUE(g.Admit({"process:a/12"}).ok());
  EXPECT_EQ(g.admitted(), 3);
}

TEST(Guard, DurationIsTheSmallestOfAllLayers) {
  Guard g({P(R"({"max-duration": 60})"), P(R"({"max-duration": 30})", "policy")}, {1});
  EXPECT_EQ(g.max_duration(), 30.0);
  EXPECT_TRUE(g.CheckDuration(30).ok());
  EXPECT_FALSE(g.CheckDuration(31).ok());
}

TEST(Guard, NoTargetsIsARefusal) {
  Guard g({}, {1});
  EXPECT_FALSE(g.Admit({}).ok());
}

TEST(Policy, FileLoading) {
  testing::TempDir dir;
  EXPECT_TRUE(LoadPolicyFile((dir.path() / "none.json").string(), false).has_value());
  EXPECT_FALSE(LoadPolicyFile((dir.path() / "none.json").string(), true).has_value());
  auto bad = LoadPolicyFile(dir.Write("bad.json", "{"), true);
  EXPECT_FALSE(bad.has_value());
  auto good = LoadPolicyFile(dir.Write("p.json", R"({"deny": ["unit:*"]})"), true);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(good->deny.size(), 1u);
}

TEST(Targets, ProcessPidParsing) {
  EXPECT_EQ(ProcessTargetPid("process:redis-server/42"), 42);
  EXPECT_EQ(ProcessTargetPid("process:a/b/7"), 7);
  EXPECT_FALSE(ProcessTargetPid("unit:redis.service"));
  EXPECT_FALSE(ProcessTargetPid("process:x/"));
  EXPECT_FALSE(ProcessTargetPid("process:x/12a"));
}

}  // namespace
}  // namespace chaosrun::guard
