// Signals during a long process activity. The test learns that the activity is running by finding
// its `sleep` child in /proc through a unique argument (no sleeping, no timing), then signals
// chaosrun and checks the journal, the exit code and that the sleep's process group is gone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "cli_fixture.h"
#include "support/process_helpers.h"

namespace chaosrun::clitest {
namespace {

using ::testing::HasSubstr;

struct SignalCase {
  int signal;
  const char* strategy;  // --rollback-strategy
  bool rollbacks_played;
};

std::string PrintCase(const ::testing::TestParamInfo<SignalCase>& info) {
  std::string name = sigabbrev_np(info.param.signal);
  std::string strategy = info.param.strategy;
  return name + "_" + strategy;
}

class SignalTest : public CliTest, public ::testing::WithParamInterface<SignalCase> {
 protected:
  static void SetUpTestSuite() { chaosrun::testing::BecomeChildSubreaper(); }

  // A sleep argument nobody else on the machine uses: "86400.<pid><n>".
  static std::string UniqueSleepArgument() {
    static std::atomic<int> n{0};
    return "86400." + std::to_string(::getpid()) + std::to_string(n++);
  }
};

TEST_P(SignalTest, InterruptsTheLongActivityAndKillsItsProcessGroup) {
  const SignalCase& c = GetParam();
  const std::string token = UniqueSleepArgument();
  Json e = Experiment(
      Json::array({ProcessActivity("action", "sleep-long", "sleep", Json::array({token})),
                   ProcessActivity("action", "never-reached", "touch", Json::array({"reached"}))}),
      Json(nullptr),
      Json::array({ProcessActivity("action", "rollback", "touch", Json::array({"rolled-back"}))}));
  std::string path = Write("e.json", e.dump());

  ChaosrunProcess chaosrun({RunArgs({"--rollback-strategy", c.strategy, path}), Dir(), {}});
  std::optional<pid_t> sleep_pid = WaitForProcessWithArg(token, chaosrun);
  ASSERT_TRUE(sleep_pid.has_value()) << "the sleep never started:\n" << chaosrun.Wait().err;
  pid_t pgid = ::getpgid(*sleep_pid);
  ASSERT_GT(pgid, 0);
  EXPECT_NE(pgid, ::getpgid(chaosrun.pid())) << "the activity must run in its own process group";

  ASSERT_EQ(::kill(chaosrun.pid(), c.signal), 0) << std::strerror(errno);
  Outcome o = chaosrun.Wait();
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_TRUE(chaosrun::testing::ReapAndCheckGroupGone(pgid)) << "the sleep was orphaned";

  Json j = Journal();
  EXPECT_EQ(j["status"], "interrupted");
  ASSERT_EQ(j["run"].size(), 1u) << "the method stops at the cut activity";
  const Json& cut = j["run"][0];
  EXPECT_EQ(cut["activity"]["name"], "sleep-long");
  EXPECT_FALSE(cut.contains("status")) << cut.dump();
  EXPECT_TRUE(cut.contains("end")) << cut.dump();
  EXPECT_FALSE(std::filesystem::exists(Dir() / "reached"));
  EXPECT_EQ(j["rollbacks"].size(), c.rollbacks_played ? 1u : 0u) << j["rollbacks"].dump();
  EXPECT_EQ(std::filesystem::exists(Dir() / "rolled-back"), c.rollbacks_played);
  EXPECT_THAT(o.err, HasSubstr("Journal written to"));
}

INSTANTIATE_TEST_SUITE_P(
    Signals, SignalTest,
    ::testing::Values(SignalCase{SIGTERM, "default", false}, SignalCase{SIGTERM, "always", true},
                      SignalCase{SIGINT, "default", false}, SignalCase{SIGINT, "always", true},
                      SignalCase{SIGUSR1, "always", true}, SignalCase{SIGUSR2, "always", false}),
    PrintCase);

}  // namespace
}  // namespace chaosrun::clitest

namespace chaosrun::clitest {
namespace {

class ProcessTimeoutTest : public CliTest {};

TEST_F(ProcessTimeoutTest, TimeoutFailsTheActivityAndKillsTheProcessGroup) {
  // A shell that starts a grandchild sleep in the same group: the timeout must end both.
  const std::string token = "86400.9" + std::to_string(::getpid());
  Json act = ProcessActivity("action", "too-slow", "sh",
                             Json::array({"-c", "sleep " + token + " & sleep " + token + "1"}));
  act["provider"]["timeout"] = 0.2;
  Json e = Experiment(
      Json::array({act, ProcessActivity("action", "next", "touch", Json::array({"next-ran"}))}));
  Outcome o = Run({Write("e.json", e.dump())});
  EXPECT_EQ(o.exit_code, 0) << "a failed activity does not change the status\n" << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "completed");
  const Json& rec = j["run"][0];
  EXPECT_EQ(rec["status"], "failed");
  EXPECT_EQ(rec["output"], nullptr);
  ASSERT_TRUE(rec["exception"].is_array() && !rec["exception"].empty()) << rec.dump();
  std::string last = rec["exception"].back().get<std::string>();
  EXPECT_EQ(last.rfind("chaoslib.exceptions.ActivityFailed: ", 0), 0u) << last;
  EXPECT_NE(last.find("took too long"), std::string::npos) << last;
  EXPECT_TRUE(std::filesystem::exists(Dir() / "next-ran")) << "the method goes on";
  EXPECT_FALSE(FindProcessWithArg(token).has_value()) << "the background sleep survived";
  EXPECT_FALSE(FindProcessWithArg(token + "1").has_value()) << "the foreground sleep survived";
}

}  // namespace
}  // namespace chaosrun::clitest
