// No secret value, nor its base64 or URL-encoded form, reaches a journal, stdout, stderr, a log
// file or `validate` output (issue 11): inline secrets (also of a scope a --var-file replaces), a
// var-file's secrets, env secrets, the Basic-auth header of an http url built from a secret, and
// runs aborted before their secrets resolve. Real chaosrun binary, real /bin/sh, real loopback
// HTTP server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "common/encoding.h"
#include "support/http_server.h"

namespace chaosrun::clitest {
namespace {

using chaosrun::testing::ClosedLoopbackPort;
using chaosrun::testing::HttpServer;
using chaosrun::testing::TestRequest;
using chaosrun::testing::TestResponse;

const std::string kInline = "inline s3cr3t/x+y?";          // distinct %20, '+' and base64 forms
const std::string kReplaced = "replaced-scope-secret-77";  // inline, in a scope a var-file replaces
const std::string kVarFile = "var-file-token-99!";
const std::string kEnv = "env-secret-value-42";
const std::string kAuth = "basic-auth-pass-123";

// Every form of `s` that must not appear.
std::vector<std::string> Forms(const std::string& s) {
  return {s,
          Base64Encode(s),
          Base64Encode(s, Base64Alphabet::kStandard, false),
          Base64Encode(s, Base64Alphabet::kUrlSafe),
          Base64Encode(s, Base64Alphabet::kUrlSafe, false),
          PercentEncode(s, false),
          PercentEncode(s, true)};
}

void ExpectNoSecret(const std::string& where, const std::string& text) {
  std::vector<std::string> forms;
  for (const auto& s : {kInline, kReplaced, kVarFile, kEnv, kAuth}) {
    for (auto& f : Forms(s)) forms.push_back(std::move(f));
  }
  forms.push_back(Base64Encode("alice:" + kAuth));
  forms.push_back(Base64Encode("alice:" + kAuth, Base64Alphabet::kStandard, false));
  for (const auto& f : forms) {
    EXPECT_EQ(text.find(f), std::string::npos) << where << " holds \"" << f << "\":\n" << text;
  }
}

class SecretsTest : public CliTest {
 protected:
  SecretsTest() {
    server_.Handle("GET", "/echo", [](const TestRequest& rq) {
      std::string body = "auth=" + rq.Header("Authorization").value_or("") + " query=" + rq.query;
      return TestResponse{200, {{"Content-Type", "text/plain"}}, body, {}};
    });
  }

  Json Secrets(bool missing_env) const {
    Json s = {{"app", {{"password", kInline}, {"authpw", kAuth}, {"pin", 7}}},
              {"old", {{"token", kReplaced}}},
              {"envs", {{"e", {{"type", "env"}, {"key", "CHAOSRUN_TEST_SECRET_ENV"}}}}}};
    if (missing_env) {
      s["envs"]["gone"] = {{"type", "env"}, {"key", "CHAOSRUN_TEST_SECRET_NOT_SET"}};
    }
    return s;
  }

  Json Http(const std::string& name, const std::string& url) const {
    return {{"type", "probe"},
            {"name", name},
            {"provider", {{"type", "http"}, {"url", url}, {"arguments", {{"q", "${password}"}}}}}};
  }

  Json SecretExperiment(bool missing_env = false) const {
    const std::string script =
        "printf '%s|%s|%s\\n' \"$1\" \"$2\" \"$3\"; printf '%s' \"$1\" | base64 -w0; echo; "
        "printf '%s' \"$2\" | base64 -w0; echo";
    Json method = Json::array();
    method.push_back(ProcessActivity("action", "print", "/bin/sh",
                                     {"-c", script, "sh", "${password}", "${token}", "${e}"}));
    std::string echo = server_.Url("/echo");
    echo.replace(echo.find("://") + 3, 0, "alice:${authpw}@");
    method.push_back(Http("echo", echo));
    method.push_back(Http("refused", "http://alice:${authpw}@127.0.0.1:" +
                                         std::to_string(ClosedLoopbackPort()) + "/x"));
    Json e = Experiment(method);
    e["title"] = "secrets ${password}";
    e["secrets"] = Secrets(missing_env);
    return e;
  }

  std::string VarFile() const {
    return Write("vars.json", Json{{"secrets", {{"old", {{"token", kVarFile}}}}}}.dump());
  }
  std::vector<std::string> Env() const { return {"CHAOSRUN_TEST_SECRET_ENV=" + kEnv}; }
  std::string LogPath() const { return (Dir() / "run.log").string(); }

  HttpServer server_;
};

TEST_F(SecretsTest, RunKeepsEverySecretOutOfJournalOutputAndLogs) {
  std::string exp = Write("exp.json", SecretExperiment().dump());
  Outcome o = Run({"--verbose", "--log-file", LogPath(), "--var-file", VarFile(), exp}, Env());
  ASSERT_TRUE(JournalExists()) << o.err;
  std::string text = ReadFile(JournalPath());
  ExpectNoSecret("the journal", text);
  ExpectNoSecret("stdout", o.out);
  ExpectNoSecret("stderr", o.err);
  ExpectNoSecret("the log file", ReadFile(LogPath()));

  Json j = Journal();
  // The secrets were really used: the process and the server saw them.
  const Json& print = j["run"][0];
  ASSERT_EQ(print["status"], "succeeded") << print.dump();
  EXPECT_EQ(print["output"]["stdout"].get<std::string>().substr(0, 12), "***|***|***\n");
  const Json& echo = j["run"][1];
  ASSERT_EQ(echo["status"], "succeeded") << echo.dump();
  EXPECT_EQ(echo["output"]["body"], "auth=Basic *** query=q=***");
  EXPECT_EQ(j["run"][2]["status"], "failed");
  EXPECT_THAT(j["run"][2]["exception"].dump(), ::testing::HasSubstr("alice:***@"));
  // Types hold: numbers stay numbers; only the numeric secret itself became the marker.
  EXPECT_TRUE(j["duration"].is_number());
  for (const Json& r : j["run"]) EXPECT_TRUE(r["duration"].is_number()) << r.dump();
  EXPECT_TRUE(print["output"]["status"].is_number_integer());
  EXPECT_EQ(echo["output"]["status"], 200);
  EXPECT_EQ(j["experiment"]["secrets"]["app"]["pin"], "***");
  EXPECT_EQ(j["experiment"]["title"], "secrets ***");
}

TEST_F(SecretsTest, ValidateOutputHoldsNoSecret) {
  Json e = SecretExperiment();
  // A reference that cannot be found is echoed by validate: here it is a secret's value.
  e["method"].push_back({{"ref", kReplaced}});
  std::string exp = Write("exp.json", e.dump());
  for (bool json : {false, true}) {
    std::vector<std::string> args = {"validate", "--verbose",  "--log-file",
                                     LogPath(),  "--var-file", VarFile()};
    if (json) args.push_back("--json");
    args.push_back(exp);
    Outcome o = Raw(args, Env());
    EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
    EXPECT_THAT(o.out, ::testing::HasSubstr("***")) << "the bad reference is reported";
    ExpectNoSecret("validate stdout", o.out);
    ExpectNoSecret("validate stderr", o.err);
  }
  ExpectNoSecret("the log file", ReadFile(LogPath()));
}

TEST_F(SecretsTest, RunAbortedBeforeSecretsResolveHoldsNoSecret) {
  std::string exp = Write("exp.json", SecretExperiment(/*missing_env=*/true).dump());
  for (bool validation : {true, false}) {
    std::vector<std::string> args = {"--verbose", "--log-file", LogPath(), "--var-file", VarFile()};
    if (!validation) args.push_back("--no-validation");
    args.push_back(exp);
    Outcome o = Run(args, Env());
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_THAT(o.err, ::testing::HasSubstr("CHAOSRUN_TEST_SECRET_NOT_SET"));
    ExpectNoSecret("stdout", o.out);
    ExpectNoSecret("stderr", o.err);
    if (!validation) {
      ASSERT_TRUE(JournalExists()) << o.err;
      ExpectNoSecret("the journal", ReadFile(JournalPath()));
      Json j = Journal();
      EXPECT_EQ(j["status"], "aborted");
      EXPECT_TRUE(j["duration"].is_number());
      EXPECT_EQ(j["experiment"]["secrets"]["app"]["password"], "***");
      EXPECT_EQ(j["experiment"]["secrets"]["old"]["token"], "***");
    }
  }
  ExpectNoSecret("the log file", ReadFile(LogPath()));
}

}  // namespace
}  // namespace chaosrun::clitest
