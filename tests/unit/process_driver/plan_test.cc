// prepare against a fake procfs: targets, seeds, counts, the recorded undo, refusals; and every
// entry point fed malformed input. No real process is touched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_proc.h"
#include "process/actions.h"
#include "process/descriptor.h"

namespace chaosrun::drivers::process {
namespace {

using nlohmann::json;
using testing::FakeProc;
using ::testing::HasSubstr;

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.proc_root = fp_.root();
    for (int i = 0; i < 10; ++i) {
      fp_.Add(FakeProc::kBase + 10 + i, "worker", "worker --id " + std::to_string(i), 'S',
              2000 + static_cast<uint64_t>(i));
    }
    fp_.Add(FakeProc::kBase + 5, "other (x)", "other", 'S', 50);
    fp_.Add(FakeProc::kBase + 6, "worker", "", 'Z', 60);              // a zombie
    fp_.Add(FakeProc::kBase + 7, "worker", "", 'I', 70, 0x00200000);  // a kernel thread
  }
  sdk::Reply Prep(const std::string& func, const json& args) { return Prepare(func, args, env_); }

  FakeProc fp_;
  Env env_;
};

TEST_F(PlanTest, StopPlanTargetsAndUndo) {
  sdk::Reply r = Prep("stop", json{{"name", "other (x)"}});
  ASSERT_EQ(r.status, CHAOSRUN_OK) << r.value.dump();
  const int pid = FakeProc::kBase + 5;
  EXPECT_EQ(r.value["targets"], json::array({"process:other (x)/" + std::to_string(pid)}));
  EXPECT_EQ(r.value["pids"], json::array({pid}));
  EXPECT_EQ(r.value["signal"], 19);
  EXPECT_EQ(r.value["signal_name"], "SIGSTOP");
  EXPECT_TRUE(r.value["seed"].is_number_unsigned());
  EXPECT_EQ(r.value["undo"],
            json::parse(R"j({"action": "stop", "processes": [{"pid": )j" + std::to_string(pid) +
                        R"j(, "comm": "other (x)", "start_time": 50}]})j"));
}

TEST_F(PlanTest, ZombiesAndKernelThreadsNeverMatch) {
  sdk::Reply r = Prep("stop", json{{"name", "worker"}});
  ASSERT_EQ(r.status, CHAOSRUN_OK);
  EXPECT_EQ(r.value["matched"], 10);
  EXPECT_EQ(r.value["pids"].size(), 10u);
}

TEST_F(PlanTest, SameSeedSameTargets) {
  json args{{"name", "worker"}, {"count", 3}, {"seed", 42}};
  sdk::Reply a = Prep("stop", args);
  sdk::Reply b = Prep("stop", args);
  ASSERT_EQ(a.status, CHAOSRUN_OK);
  EXPECT_EQ(a.value["seed"], 42);
  EXPECT_EQ(a.value["pids"], b.value["pids"]);
  // Golden: indices {0, 4, 6} of the ten workers sorted by pid (see choose_test).
  const int base = FakeProc::kBase + 10;
  EXPECT_EQ(a.value["pids"], json::array({base + 0, base + 4, base + 6}));
}

TEST_F(PlanTest, AGeneratedSeedReplays) {
  sdk::Reply first = Prep("stop", json{{"name", "worker"}, {"percent", 30}});
  ASSERT_EQ(first.status, CHAOSRUN_OK);
  EXPECT_EQ(first.value["pids"].size(), 3u);
  sdk::Reply replay =
      Prep("stop", json{{"name", "worker"}, {"percent", 30}, {"seed", first.value["seed"]}});
  EXPECT_EQ(replay.value["pids"], first.value["pids"]);
}

TEST_F(PlanTest, CmdlineSelector) {
  sdk::Reply r = Prep("stop", json{{"cmdline", "--id [37]$"}});
  ASSERT_EQ(r.status, CHAOSRUN_OK);
  EXPECT_EQ(r.value["pids"], json::array({FakeProc::kBase + 13, FakeProc::kBase + 17}));
}

TEST_F(PlanTest, KillRecordsTheUndo) {
  sdk::Reply r =
      Prep("kill",
           json{{"cmdline", "--id 3$"}, {"restart", {"worker", "--id", "3"}}, {"signal", "TERM"}});
  ASSERT_EQ(r.status, CHAOSRUN_OK) << r.value.dump();
  EXPECT_EQ(r.value["signal"], 15);
  const json& undo = r.value["undo"];
  EXPECT_EQ(undo["action"], "kill");
  EXPECT_EQ(undo["selector"], (json{{"cmdline", "--id 3$"}}));
  EXPECT_EQ(undo["restart"], json::array({"worker", "--id", "3"}));
  EXPECT_EQ(undo["baseline"], 1);
  EXPECT_EQ(undo["killed"][0]["cmdline"], "worker --id 3");
  EXPECT_EQ(undo["killed"][0]["start_time"], 2003);
  EXPECT_FALSE(undo.contains("unit"));
}

TEST_F(PlanTest, KillWithoutRestartIsRefused) {
  sdk::Reply r = Prep("kill", json{{"name", "worker"}});
  EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_THAT(r.value["error"].get<std::string>(), HasSubstr("needs `restart`"));
}

TEST_F(PlanTest, NothingMatches) {
  sdk::Reply r = Prep("stop", json{{"name", "nobody"}});
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_THAT(r.value["error"].get<std::string>(), HasSubstr("no process matches name \"nobody\""));
  EXPECT_EQ(Prep("stop", json{{"pidfile", fp_.root() + "/missing.pid"}}).status, CHAOSRUN_FAILED);
}

TEST_F(PlanTest, ProtectedPidsAreRefused) {
  for (int pid : {1, static_cast<int>(::getpid())}) {
    sdk::Reply r = Prep("stop", json{{"pids", {pid}}});
    EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT) << pid;
    EXPECT_THAT(r.value["error"].get<std::string>(), HasSubstr("protected"));
  }
}

TEST_F(PlanTest, MalformedInputNeverThrows) {
  const json junk[] = {json(),
                       json(1),
                       json("x"),
                       json::array(),
                       json::object(),
                       json{{"processes", 5}},
                       json{{"processes", {{{"pid", "a"}}}}},
                       json{{"processes", {{{"pid", 5}, {"start_time", -1}}}}},
                       json{{"selector", 1}},
                       json{{"selector", {{"name", "x"}}}, {"killed", 1}},
                       json{{"action", "stop"}}};
  for (const char* func : {"kill", "stop"}) {
    for (const auto& j : junk) {
      EXPECT_EQ(Prepare(func, j, env_).status, CHAOSRUN_INVALID_ARGUMENT) << func << j.dump();
      EXPECT_EQ(Apply(func, j, env_).status, CHAOSRUN_INVALID_ARGUMENT) << func << j.dump();
      EXPECT_EQ(Undo(func, j, env_).status, CHAOSRUN_INVALID_ARGUMENT) << func << j.dump();
    }
  }
  for (const char* func : {"running", "alive"}) {
    for (const auto& j : junk) {
      EXPECT_EQ(Probe(func, j, env_).status, CHAOSRUN_INVALID_ARGUMENT) << func << j.dump();
    }
  }
  EXPECT_EQ(Prepare("explode", json::object(), env_).status, CHAOSRUN_UNSUPPORTED);
  EXPECT_EQ(Probe("explode", json::object(), env_).status, CHAOSRUN_UNSUPPORTED);
}

TEST_F(PlanTest, ApplySkipsARecycledPid) {
  sdk::Reply plan = Prep("stop", json{{"name", "other (x)"}});
  ASSERT_EQ(plan.status, CHAOSRUN_OK);
  json p = plan.value;
  p["processes"][0]["start_time"] = 51;  // the pid now belongs to another process
  sdk::Reply r = Apply("stop", p, env_);
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  // A fake pid has no process to open a pidfd on; pidfd_test.cc recycles a real one.
  EXPECT_THAT(r.value["error"].get<std::string>(), HasSubstr("exited"));
  sdk::Reply u = Undo("stop", p["undo"], env_);  // the undo still holds the true start time
  ASSERT_EQ(u.status, CHAOSRUN_OK);
}

// "(a*)*b" backtracks exponentially in a backtracking matcher; against a long command line it
// must still end (the driver uses a polynomial matcher and caps the searched length).
TEST_F(PlanTest, CatastrophicPatternEnds) {
  fp_.Add(FakeProc::kBase + 100, "aaaa", std::string(5000, 'a'), 'S', 9);
  sdk::Reply r = Prep("stop", json{{"cmdline", "(a*)*b"}});
  EXPECT_EQ(r.status, CHAOSRUN_FAILED) << r.value.dump();
  sdk::Reply m = Prep("stop", json{{"cmdline", "^(a*)*$"}});
  ASSERT_EQ(m.status, CHAOSRUN_OK) << m.value.dump();
  EXPECT_EQ(m.value["pids"], json::array({FakeProc::kBase + 100}));
}

TEST(DescriptorTest, NamesAndSchemas) {
  json d = json::parse(DescriptorJson());
  EXPECT_EQ(d["name"], "process");
  EXPECT_EQ(d["version"], "1.0.0");
  ASSERT_EQ(d["actions"].size(), 2u);
  EXPECT_EQ(d["actions"][0]["name"], "kill");
  EXPECT_EQ(d["actions"][1]["name"], "stop");
  ASSERT_EQ(d["probes"].size(), 2u);
  EXPECT_EQ(d["probes"][0]["name"], "running");
  EXPECT_EQ(d["probes"][1]["name"], "alive");
  for (const auto& list : {d["actions"], d["probes"]}) {
    for (const auto& f : list) {
      EXPECT_EQ(f["arguments"]["type"], "object");
      EXPECT_EQ(f["arguments"]["additionalProperties"], false);
    }
  }
  EXPECT_TRUE(d["actions"][0]["arguments"]["properties"].contains("restart"));
  EXPECT_FALSE(d["actions"][1]["arguments"]["properties"].contains("signal"));
}

}  // namespace
}  // namespace chaosrun::drivers::process
