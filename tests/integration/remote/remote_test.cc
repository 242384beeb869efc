// `chaosrun remote` (the real binary) against a real api::Server on a loopback port. The daemon
// behind the server is the API tests' RecordingControl, a stand-in that records calls and answers
// with fixed data (tests/unit/api/recording_control.h): the real daemon is tested end to end by
// its own tests; this proves what the CLI sends and how it reports.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>

#include "api/server.h"
#include "integration/cli/chaosrun_process.h"
#include "support/http_server.h"
#include "support/temp_dir.h"
#include "unit/api/recording_control.h"

namespace chaosrun::remotetest {
namespace {

using apitest::RecordingControl;
using clitest::Outcome;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kToken = "remote-test-token-0123456789";

class RemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api::ServerOptions o;
    o.port = 0;
    o.token = kToken;
    server_ = std::make_unique<api::Server>(control_, o);
    auto endpoint = server_->Start();
    ASSERT_TRUE(endpoint.has_value()) << endpoint.error().ToString();
    url_ = endpoint->Url();
  }

  // `chaosrun remote ARGS --address URL` with the token in the environment (unless `env` says
  // otherwise).
  Outcome Remote(std::vector<std::string> args, std::vector<std::string> env = {},
                 bool with_address = true) {
    args.insert(args.begin(), "remote");
    if (with_address) {
      args.push_back("--address");
      args.push_back(url_);
    }
    clitest::Invocation inv;
    inv.args = std::move(args);
    inv.cwd = dir_.path();
    // The defaults, unless `env` sets the same variable.
    for (std::string d :
         {std::string("CHAOSRUN_TOKEN=") + kToken, std::string("CHAOSRUN_ADDRESS=")}) {
      bool overridden = false;
      for (const auto& e : env)
        overridden = overridden || e.substr(0, e.find('=')) == d.substr(0, d.find('='));
      if (!overridden) inv.env.push_back(d);
    }
    for (auto& e : env) inv.env.push_back(e);
    return clitest::RunChaosrun(inv);
  }

  std::string TokenFile(const std::string& content, mode_t mode) {
    std::string path = dir_.Write("token", content);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  RecordingControl control_;
  std::unique_ptr<api::Server> server_;
  std::string url_;
  testing::TempDir dir_;
};

TEST_F(RemoteTest, RunsAsATableWithFilters) {
  Outcome o = Remote({"runs", "--schedule", "nightly", "--outcome", "failed", "--limit", "10"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("ID"));
  EXPECT_THAT(o.out, HasSubstr("run-1"));
  EXPECT_THAT(o.out, HasSubstr("latency-drill"));
  EXPECT_THAT(o.out, HasSubstr("1 of 1 runs"));
  EXPECT_EQ(control_.last_filter().schedule, "nightly");
  EXPECT_EQ(control_.last_filter().outcome, "failed");
  EXPECT_EQ(control_.last_filter().limit, 10u);
}

TEST_F(RemoteTest, RunsAsJson) {
  Outcome o = Remote({"runs", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  Json j = Json::parse(o.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << o.out;
  EXPECT_EQ(j["runs"][0]["id"], "run-1");
}

TEST_F(RemoteTest, ShowPrintsTheJournal) {
  Outcome o = Remote({"show", "run-1"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(Json::parse(o.out)["id"], "run-1");
  o = Remote({"show", "run-9"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("no run run-9 (HTTP 404)"));
}

TEST_F(RemoteTest, StartWithVars) {
  Outcome o = Remote({"start", "latency-drill", "--var", "port:int=8080", "--var", "host=a"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("started run run-2 of latency-drill (queued)"));
  EXPECT_THAT(control_.Calls(), ElementsAre(R"(StartRun latency-drill {"port":8080,"host":"a"})"));
  o = Remote({"start", "latency-drill", "--var", "novalue"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
}

TEST_F(RemoteTest, StartRefusesObjectAndArrayVarsBeforeSending) {
  Outcome o = Remote({"start", "latency-drill", "--var",
                      R"(k:json={"type":"probe","provider":{"type":"process","path":"/bin/sh"}})"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_THAT(o.err, HasSubstr("invalid --var k: chaosrund accepts only a string, a number"));
  o = Remote({"start", "latency-drill", "--var", "l:json=[1,2]"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_THAT(o.err, HasSubstr("invalid --var l:"));
  EXPECT_TRUE(control_.Calls().empty());
  o = Remote({"start", "latency-drill", "--var", "n:json=null", "--var", "b:bool=true"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(control_.Calls(), ElementsAre(R"(StartRun latency-drill {"n":null,"b":true})"));
}

TEST_F(RemoteTest, AbortReportsTheApiReason) {
  Outcome o = Remote({"abort", "run-2"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("abort requested for run run-2 (aborting)"));
  o = Remote({"abort", "run-1"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("run run-1 has ended (HTTP 409)"));
}

TEST_F(RemoteTest, HaltAndClear) {
  ASSERT_EQ(Remote({"halt", "--reason", "game day"}).exit_code, 0);
  ASSERT_EQ(Remote({"halt", "--clear"}).exit_code, 0);
  EXPECT_THAT(control_.Calls(), ElementsAre("SetHalt true game day", "SetHalt false "));
  EXPECT_EQ(Remote({"halt", "--clear", "--reason", "x"}).exit_code, 2);
}

TEST_F(RemoteTest, PauseResumeSchedulesExperiments) {
  Outcome o = Remote({"pause", "nightly"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("schedule nightly paused"));
  ASSERT_EQ(Remote({"resume", "nightly"}).exit_code, 0);
  o = Remote({"pause", "weekly"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("(HTTP 404)"));
  o = Remote({"schedules"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("NEXT FIRE"));
  EXPECT_THAT(o.out, HasSubstr("@daily"));
  o = Remote({"experiments"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("Latency drill"));
  EXPECT_THAT(control_.Calls(),
              ElementsAre("SetSchedulePaused nightly true", "SetSchedulePaused nightly false",
                          "SetSchedulePaused weekly true", "ListSchedules", "ListExperiments"));
}

TEST_F(RemoteTest, TokenFile) {
  std::string file = TokenFile(std::string(kToken) + "\n", 0600);
  Outcome o = Remote({"experiments", "--token-file", file}, {"CHAOSRUN_TOKEN="});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // A token file others can read is refused before anything is sent.
  ::chmod(file.c_str(), 0644);
  control_.ClearCalls();
  o = Remote({"experiments", "--token-file", file}, {"CHAOSRUN_TOKEN="});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("group and others must have no permission"));
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RemoteTest, WrongOrMissingToken) {
  Outcome o = Remote({"halt"}, {"CHAOSRUN_TOKEN=not-the-token-0123456789"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("invalid bearer token (HTTP 401)"));
  o = Remote({"halt"}, {"CHAOSRUN_TOKEN="});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("no token"));
  o = Remote({"halt"}, {"CHAOSRUN_TOKEN=abc\r\nX-Evil: 1"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("control character"));
  o = Remote({"halt", "--token", kToken});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("shows in ps"));
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RemoteTest, AddressFromTheEnvironment) {
  Outcome o = Remote({"experiments"}, {"CHAOSRUN_ADDRESS=" + url_ + "/"}, false);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  int closed = chaosrun::testing::ClosedLoopbackPort();
  o = Remote({"experiments"}, {"CHAOSRUN_ADDRESS=http://127.0.0.1:" + std::to_string(closed)},
             false);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cannot reach chaosrund"));
  EXPECT_EQ(Remote({"experiments"}, {"CHAOSRUN_ADDRESS=ftp://x"}, false).exit_code, 2);
}

TEST_F(RemoteTest, NamesAreEncodedAndRefusedByTheServer) {
  Outcome o = Remote({"show", "../../etc/passwd"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("(HTTP 400)"));
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RemoteTest, UsageErrors) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{},
                                             {"show"},
                                             {"start"},
                                             {"pause"},
                                             {"frobnicate"},
                                             {"runs", "--var", "x=1"},
                                             {"runs", "extra"},
                                             {"runs", "--limit", "0"},
                                             {"show", "run-1", "--reason", "x"}}) {
    SCOPED_TRACE(args.empty() ? "(none)" : args[0]);
    Outcome o = Remote(args);
    EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
    EXPECT_THAT(o.err, HasSubstr("chaosrun remote --help"));
  }
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RemoteTest, Help) {
  Outcome o = Remote({"--help"}, {}, false);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.out, HasSubstr("Usage: chaosrun remote"));
  clitest::Invocation inv;
  inv.args = {"help", "remote"};
  inv.cwd = dir_.path();
  o = clitest::RunChaosrun(inv);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.out, HasSubstr("Usage: chaosrun remote"));
  inv.args = {"--help"};
  EXPECT_THAT(clitest::RunChaosrun(inv).out, HasSubstr("remote"));
}

}  // namespace
}  // namespace chaosrun::remotetest
