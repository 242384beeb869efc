// `chaosrun remote` against the real chaosrund (its binary, started by this test on port 0 with
// its own token, state and experiments directories): list, start a run and see it complete,
// halt refuses new runs until cleared, a wrong token changes nothing. The run's completion is
// polled through the API with a cap; nothing waits for time to pass.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/json.h"
#include "integration/cli/chaosrun_process.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"
#include "unit/api/raw_http.h"

extern char** environ;

namespace chaosrun::remotetest {
namespace {

namespace fs = std::filesystem;
using clitest::Outcome;
using ::testing::HasSubstr;

constexpr const char* kDaemonToken = "daemon-remote-token-0123456789";

std::string DaemonPath() {
  return (fs::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string();
}

class RemoteDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(DaemonPath())) GTEST_SKIP() << "no chaosrund next to chaosrun";
    fs::create_directories(tmp_.path() / "experiments");
    std::string token = tmp_.Write("token", std::string(kDaemonToken) + "\n");
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    Json experiment = {
        {"title", "fast"},
        {"description", "one action that succeeds at once"},
        {"method", Json::array({{{"type", "action"},
                                 {"name", "noop"},
                                 {"provider", {{"type", "process"}, {"path", "true"}}}}})}};
    tmp_.Write("experiments/fast.json", experiment.dump(2));
    experiment["title"] = "configured";
    experiment["configuration"] = {{"k", "declared"}};
    tmp_.Write("experiments/configured.json", experiment.dump(2));
    tmp_.Write("chaosrund.yaml",
               "listen: 127.0.0.1:0\ntoken_file: token\nstate_dir: state\n"
               "experiments_dir: experiments\n");
    std::string out = (tmp_.path() / "d.out").string();
    std::string err = (tmp_.path() / "d.err").string();
    std::vector<std::string> args = {DaemonPath(), "--config",
                                     (tmp_.path() / "chaosrund.yaml").string()};
    chaosrun::testing::SpawnFiles files;
    files.stdout_path = out;
    files.stderr_path = err;
    files.mode = 0600;
    std::string error;
    daemon_ = chaosrun::testing::SpawnWithFiles(args, files, &error);
    ASSERT_NE(daemon_, -1) << error;
    // The one line "listening on HOST:PORT" (polled, capped at 60 s).
    std::string line;
    for (int i = 0; i < 6000 && line.find('\n') == std::string::npos; ++i) {
      line = clitest::ReadFile(out);
      if (line.find('\n') == std::string::npos) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    ASSERT_EQ(line.rfind("listening on ", 0), 0u) << line << clitest::ReadFile(err);
    url_ = "http://" + line.substr(13, line.find('\n') - 13);
  }

  void TearDown() override {
    if (daemon_ > 0) {
      ::kill(daemon_, SIGTERM);
      int status = 0;
      ::waitpid(daemon_, &status, 0);
    }
  }

  Outcome Remote(std::vector<std::string> args, const std::string& token = kDaemonToken) {
    args.insert(args.begin(), "remote");
    clitest::Invocation inv;
    inv.args = std::move(args);
    inv.cwd = tmp_.path();
    inv.env = {"CHAOSRUN_TOKEN=" + token, "CHAOSRUN_ADDRESS=" + url_};
    return clitest::RunChaosrun(inv);
  }

  testing::TempDir tmp_;
  pid_t daemon_ = -1;
  std::string url_;
};

TEST_F(RemoteDaemonTest, StartARunAndSeeItComplete) {
  Outcome o = Remote({"experiments"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("fast"));

  o = Remote({"start", "fast", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  Json started = Json::parse(o.out, nullptr, false);
  ASSERT_TRUE(started.is_object() && started["id"].is_string()) << o.out;
  std::string id = started["id"];

  std::string status;
  for (int i = 0; i < 600; ++i) {  // polled through the API, capped
    o = Remote({"show", id});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    Json run = Json::parse(o.out, nullptr, false);
    status = run.value("status", "");
    if (status != "queued" && status != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, "completed") << o.out;
  o = Remote({"runs"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr(id));
}

TEST_F(RemoteDaemonTest, HaltRefusesRunsUntilCleared) {
  ASSERT_EQ(Remote({"halt", "--reason", "game day"}).exit_code, 0);
  Outcome o = Remote({"start", "fast"});
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_THAT(o.err, HasSubstr("(HTTP 503)"));
  ASSERT_EQ(Remote({"halt", "--clear"}).exit_code, 0);
  EXPECT_EQ(Remote({"start", "fast"}).exit_code, 0);
}

TEST_F(RemoteDaemonTest, AWrongTokenChangesNothing) {
  Outcome o = Remote({"halt"}, "not-the-daemon-token-0123456789");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("(HTTP 401)"));
  o = Remote({"start", "fast"});  // not halted: the refused halt changed nothing
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

TEST_F(RemoteDaemonTest, UnknownExperimentAndTraversal) {
  Outcome o = Remote({"start", "nope"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("(HTTP 404)"));
  o = Remote({"start", "../fast"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("(HTTP 400)"));
}

// A var that is a `type: probe` declaration would be dynamic configuration: a command run by the
// daemon. The real daemon refuses it (and an env declaration) by its pointer and runs nothing.
TEST_F(RemoteDaemonTest, ObjectVarsAreRefusedAndRunNothing) {
  const uint16_t port = static_cast<uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
  const fs::path marker = tmp_.path() / "pwned";
  Json probe = {{"type", "probe"},
                {"name", "p"},
                {"provider",
                 {{"type", "process"},
                  {"path", "/bin/sh"},
                  {"arguments", Json::array({"-c", "touch " + marker.string()})}}}};
  const std::vector<std::string> headers = {std::string("Authorization: Bearer ") + kDaemonToken,
                                            "Content-Type: application/json"};
  for (const Json& value : {probe, Json{{"type", "env"}, {"key", "HOME"}}, Json::array({1})}) {
    Json body = {{"experiment", "configured"}, {"vars", {{"k", value}}}};
    apitest::RawConnection c(port);
    ASSERT_TRUE(c.Send(apitest::BuildRequest("POST", "/v1/runs", headers, body.dump())));
    apitest::RawReply r = c.ReadReply();
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.body, HasSubstr("/vars/k: must be a string, a number, a boolean or null"));
  }
  Outcome o = Remote({"runs", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(Json::parse(o.out, nullptr, false).value("total", -1), 0) << o.out;
  EXPECT_FALSE(fs::exists(marker));
  // A scalar var is taken as it is.
  o = Remote({"start", "configured", "--var", "k=literal"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

}  // namespace
}  // namespace chaosrun::remotetest
