// add_toxic through the built .so against a REAL chaosrund's /toxiproxy/ API, which needs the
// daemon's bearer token: with api_token_file (the daemon's own token file) the toxic is applied
// and undone, and neither the plan nor the undo holds the token; without it prepare fails with
// the API's 401 and a hint, and nothing is applied; a token file others can read is refused. The
// telemetry driver's proxy faults reuse this client: its `delay` with proxy_api_token_file too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include "common/cancel.h"
#include "harness.h"
#include "network/http_client.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace chaosrun::network_driver_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kDaemonToken = "daemon-proxy-token-0123456789";

class DaemonTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    driver_ = LoadedDriver(&error);
    ASSERT_NE(driver_, nullptr) << error;
    const std::string daemon =
        (std::filesystem::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string();
    if (!std::filesystem::exists(daemon)) GTEST_SKIP() << "no chaosrund next to chaosrun";
    std::filesystem::create_directories(tmp_.path() / "experiments");
    token_file_ = tmp_.Write("token", std::string(kDaemonToken) + "\n");
    ASSERT_EQ(::chmod(token_file_.c_str(), 0600), 0);
    tmp_.Write("chaosrund.yaml",
               "listen: 127.0.0.1:0\ntoken_file: " + token_file_ +
                   "\nstate_dir: " + (tmp_.path() / "state").string() +
                   "\nexperiments_dir: " + (tmp_.path() / "experiments").string() +
                   "\nproxies:\n  - {name: web, listen: '127.0.0.1:0', upstream: '127.0.0.1:" +
                   std::to_string(upstream_.port()) + "'}\n");
    daemon_ = StartChild({daemon, "--config", (tmp_.path() / "chaosrund.yaml").string()},
                         tmp_.path().string(), "chaosrund");
    std::regex line("listening on ([0-9.]+:[0-9]+)");
    ASSERT_TRUE(WaitUntil(
        [&] {
          std::smatch m;
          std::string out = ReadText(daemon_.out_path);
          if (!std::regex_search(out, m, line)) return false;
          api_ = "http://" + m[1].str() + "/toxiproxy";
          return true;
        },
        std::chrono::seconds(60)))
        << ReadText(daemon_.err_path);
  }
  void TearDown() override {
    if (daemon_.pid > 0) {
      ::kill(daemon_.pid, SIGTERM);
      WaitChild(daemon_);
    }
  }

  // The toxics of proxy web, asked with the daemon's token.
  Json Toxics() {
    std::string error;
    auto url = drivers::network::ParseUrl(api_, &error);
    EXPECT_TRUE(url.has_value()) << error;
    drivers::network::HttpOptions o;
    o.bearer_token = kDaemonToken;
    auto r = drivers::network::HttpRequest(*url, "GET", "/proxies/web/toxics", "", o);
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    return Json::parse(r.body, nullptr, false);
  }
  Json Args() {
    return Json{{"api", api_},
                {"proxy", "web"},
                {"toxic", {{"type", "latency"}, {"attributes", {{"latency", 100}}}}}};
  }

  testing::TempDir tmp_;
  chaosrun::testing::HttpServer upstream_;
  plugin::Driver* driver_ = nullptr;
  Child daemon_;
  std::string token_file_;
  std::string api_;
};

TEST_F(DaemonTokenTest, WithTheTokenFileTheToxicIsAppliedAndUndone) {
  Json args = Args();
  args["api_token_file"] = token_file_;
  plugin::CallResult prepared = driver_->Prepare("add_toxic", args, CancelToken());
  ASSERT_TRUE(prepared.ok()) << prepared.error();
  const Json& plan = prepared.value;
  EXPECT_EQ(plan["api_token_file"], token_file_);
  EXPECT_EQ(plan["undo"]["api_token_file"], token_file_);
  EXPECT_THAT(plan.dump(), Not(HasSubstr(kDaemonToken)));
  EXPECT_TRUE(Toxics().empty()) << "prepare has no side effect";
  plugin::CallResult applied = driver_->Apply("add_toxic", plan, CancelToken());
  ASSERT_TRUE(applied.ok()) << applied.error();
  Json toxics = Toxics();
  ASSERT_EQ(toxics.size(), 1u) << toxics.dump();
  EXPECT_EQ(toxics[0]["type"], "latency");
  plugin::CallResult undone = driver_->Undo("add_toxic", plan["undo"], CancelToken());
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["removed"], true) << undone.value.dump();
  EXPECT_TRUE(Toxics().empty());
}

TEST_F(DaemonTokenTest, WithoutItPrepareFailsWith401AndNothingIsApplied) {
  plugin::CallResult prepared = driver_->Prepare("add_toxic", Args(), CancelToken());
  EXPECT_FALSE(prepared.ok());
  EXPECT_THAT(prepared.error(), HasSubstr("HTTP 401"));
  EXPECT_THAT(prepared.error(), HasSubstr("give api_token_file"));
  EXPECT_TRUE(Toxics().empty());
}

TEST_F(DaemonTokenTest, ATokenFileOthersCanReadIsRefusedAtPrepare) {
  std::string loose = tmp_.Write("loose-token", std::string(kDaemonToken) + "\n");
  ASSERT_EQ(::chmod(loose.c_str(), 0644), 0);
  Json args = Args();
  args["api_token_file"] = loose;
  plugin::CallResult prepared = driver_->Prepare("add_toxic", args, CancelToken());
  EXPECT_FALSE(prepared.ok());
  EXPECT_THAT(prepared.error(), HasSubstr("api_token_file: token file " + loose +
                                          ": has mode 0644: group and others must have no "
                                          "permission (chmod 600)"));
  args["api_token_file"] = (tmp_.path() / "absent").string();
  EXPECT_FALSE(driver_->Prepare("add_toxic", args, CancelToken()).ok());
  EXPECT_TRUE(Toxics().empty());
}

TEST_F(DaemonTokenTest, TheTelemetryFaultsUseTheSameTokenFile) {
  const std::string so = (std::filesystem::path(CHAOSRUN_BINARY).parent_path().parent_path() /
                          "lib/chaosrun/drivers/libchaosrun_telemetry.so")
                             .string();
  if (!std::filesystem::exists(so)) GTEST_SKIP() << "build chaosrun_driver_telemetry first";
  auto telemetry = plugin::Driver::Load(so);
  ASSERT_TRUE(telemetry) << telemetry.error().ToString();
  Json args = {{"proxy_api", api_}, {"proxy", "web"}, {"latency", 50}};
  plugin::CallResult refused = (*telemetry)->Prepare("delay", args, CancelToken());
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.error(), HasSubstr("HTTP 401"));
  args["proxy_api_token_file"] = token_file_;
  plugin::CallResult prepared = (*telemetry)->Prepare("delay", args, CancelToken());
  ASSERT_TRUE(prepared.ok()) << prepared.error();
  EXPECT_EQ(prepared.value["undo"]["api_token_file"], token_file_);
  EXPECT_THAT(prepared.value.dump(), Not(HasSubstr(kDaemonToken)));
  ASSERT_TRUE((*telemetry)->Apply("delay", prepared.value, CancelToken()).ok());
  EXPECT_EQ(Toxics().size(), 1u);
  plugin::CallResult undone = (*telemetry)->Undo("delay", prepared.value["undo"], CancelToken());
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_TRUE(Toxics().empty());
}

}  // namespace
}  // namespace chaosrun::network_driver_test
