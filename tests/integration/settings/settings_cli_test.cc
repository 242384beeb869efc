// `chaosrun --settings FILE`, `run URL` and `validate URL` through the real binary
// (CHAOSRUN_BINARY): an https server with a self-signed certificate made here with the openssl
// CLI (cpp-httplib's SSLServer on 127.0.0.1, an ephemeral port), notifications to a loopback
// receiver, warnings for keys chaosrun does not read, a bad settings file as a usage error, and
// the settings' controls run through the python bridge (tests/integration/python/modules).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "integration/python/python_run.h"
#include "support/http_server.h"

namespace chaosrun::settings_cli {
namespace {

using ::chaosrun::python_run::PythonRunTest;
using ::chaosrun::python_run::RunOutput;
using ::testing::HasSubstr;
using ::testing::Not;

chaosrun::testing::TestResponse CliReply(int status, const std::string& body) {
  chaosrun::testing::TestResponse r;
  r.status = status;
  r.body = body;
  return r;
}

constexpr const char* kExperiment =
    R"({"title": "downloaded", "description": "d", "method": [
      {"type": "action", "name": "echo", "provider": {"type": "process", "path": "/bin/true"}}]})";

// An https server on 127.0.0.1 serving /e.json, its certificate self-signed for 127.0.0.1.
class TlsServer {
 public:
  bool Start(const std::string& dir, std::string* error) {
    const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
    auto made =
        providers::SpawnAndWait({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
                                 "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj",
                                 "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                                CancelToken(), {});
    if (!made || made->status != 0) {
      *error = "openssl req failed: " + (made ? made->err : made.error().message());
      return false;
    }
    server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!server_->is_valid()) {
      *error = "the SSLServer did not take the certificate";
      return false;
    }
    server_->Get("/e.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kExperiment, "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) {
      *error = "cannot bind 127.0.0.1";
      return false;
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    return true;
  }
  ~TlsServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/e.json"; }

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
};

class SettingsCliTest : public PythonRunTest {
 protected:
  std::string State() const { return (tmp_.path() / "state").string(); }
};

TEST_F(SettingsCliTest, HttpsExperimentsAreVerifiedUnlessNoVerifyTls) {
  TlsServer server;
  std::string error;
  ASSERT_TRUE(server.Start(tmp_.path().string(), &error)) << error;
  RunOutput refused = Chaosrun({"validate", server.Url()});
  EXPECT_EQ(refused.status, 1) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("Failed to fetch the experiment from " + server.Url()));
  RunOutput valid = Chaosrun({"validate", "--no-verify-tls", server.Url()});
  EXPECT_EQ(valid.status, 0) << valid.err;
  RunOutput run = Chaosrun({"run", "--no-verify-tls", "--state-dir", State(), "--journal-path",
                            Journal(), server.Url()});
  EXPECT_EQ(run.status, 0) << run.err;
  // The journal's experiment is the downloaded document.
  Json journal = ReadJournal();
  EXPECT_EQ(journal["experiment"]["title"], "downloaded");
  EXPECT_EQ(journal["experiment"]["method"][0]["name"], "echo");
}

TEST_F(SettingsCliTest, NotificationsWarningsAndUsageErrors) {
  testing::HttpServer receiver;
  std::mutex mu;
  std::vector<std::string> names;
  receiver.Handle("POST", "/n", [&](const testing::TestRequest& r) {
    std::lock_guard lock(mu);
    names.push_back(Json::parse(r.body, nullptr, false).value("name", "?"));
    return CliReply(200, "");
  });
  const std::string settings =
      tmp_.Write("settings.yaml",
                 "vault:\n  addr: http://vault\nnotifications:\n  - type: http\n"
                 "    url: " +
                     receiver.Url("/n") + "\n");
  const std::string experiment = tmp_.Write("e.json", kExperiment);
  RunOutput run = Chaosrun({"--settings", settings, "run", "--state-dir", State(), "--journal-path",
                            Journal(), experiment});
  EXPECT_EQ(run.status, 0) << run.err;
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(names, (std::vector<std::string>{"run-started", "run-completed"}));
  }
  // One warning for the key chaosrun does not read, naming its pointer.
  const std::string warning = settings + ": /vault: not a setting chaosrun reads";
  EXPECT_THAT(run.err, HasSubstr(warning));
  EXPECT_EQ(run.err.find(warning), run.err.rfind(warning)) << run.err;

  const std::string bad = tmp_.Write("bad.yaml", "runtime:\n  hypothesis: [\n");
  RunOutput usage = Chaosrun({"--settings", bad, "run", "--state-dir", State(), "--journal-path",
                              (tmp_.path() / "j2.json").string(), experiment});
  EXPECT_EQ(usage.status, 2) << usage.err;
  EXPECT_THAT(usage.err, HasSubstr("--settings " + bad + ":"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "j2.json"));
  RunOutput missing =
      Chaosrun({"validate", "--settings", (tmp_.path() / "none.yaml").string(), experiment});
  EXPECT_EQ(missing.status, 2) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("none.yaml: no such file"));
}

TEST_F(SettingsCliTest, TheSettingsControlsRunAsGlobalControls) {
  const std::string log = (tmp_.path() / "hooks.jsonl").string();
  Json settings = {
      {"controls",
       {{"rec",
         {{"provider",
           {{"type", "python"}, {"module", "recorder"}, {"arguments", {{"path", log}}}}}}}}}};
  const std::string file = tmp_.Write("settings.json", settings.dump());
  RunOutput r = Run(Experiment(Json::array({Py("action", "act", "plain", {{"a", 1}})})),
                    {"--settings", file});
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(std::filesystem::exists(log)) << r.err;
  std::vector<std::string> hooks;
  for (const Json& l : ReadLines(log)) hooks.push_back(l["hook"].get<std::string>());
  ASSERT_FALSE(hooks.empty());
  EXPECT_EQ(hooks.front(), "configure_control");
  EXPECT_EQ(hooks.back(), "cleanup_control");
  EXPECT_THAT(hooks, ::testing::Contains("before_activity_control"));
  // The private controls file is gone once the run is over.
  EXPECT_THAT(r.err, Not(HasSubstr("chaosrun-settings-controls")));
}

}  // namespace
}  // namespace chaosrun::settings_cli
// The binary under test: CHAOSRUN_BINARY (python_run.h runs it).
