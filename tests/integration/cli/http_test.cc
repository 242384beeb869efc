// The http example against a real loopback server started by the test on port 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "support/http_server.h"

namespace chaosrun::clitest {
namespace {

using chaosrun::testing::HttpServer;
using chaosrun::testing::TestRequest;
using chaosrun::testing::TestResponse;

class HttpRunTest : public CliTest {
 protected:
  HttpRunTest() {
    server_.Handle("GET", "/health", [](const TestRequest&) {
      return TestResponse{200, {{"Content-Type", "text/plain"}}, "ok\n", {}};
    });
    server_.Handle("GET", "/status.json", [this](const TestRequest&) {
      return TestResponse{200, {{"Content-Type", "application/json"}}, status_body_, {}};
    });
    server_.Handle("GET", "/flaky", [](const TestRequest&) {
      return TestResponse{500, {{"Content-Type", "text/plain"}}, "boom", {}};
    });
  }
  std::string BaseUrlEnv() const {
    std::string url = server_.Url("/");
    if (!url.empty() && url.back() == '/') url.pop_back();
    return "CHAOSRUN_EXAMPLE_URL=" + url;
  }

  HttpServer server_;
  std::string status_body_ =
      R"({"services": [{"name": "api", "up": true}, {"name": "worker", "up": false}]})";
};

TEST_F(HttpRunTest, HealthyServiceCompletesAnd500IsData) {
  Outcome o = Run({Example("http-local.json")}, {BaseUrlEnv()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["deviated"], false);
  const Json& before = j["steady_states"]["before"];
  EXPECT_EQ(before["steady_state_met"], true);
  EXPECT_EQ(before["probes"][0]["output"]["status"], 200);
  EXPECT_EQ(before["probes"][0]["output"]["body"], "ok\n");
  EXPECT_TRUE(before["probes"][1]["output"]["body"].is_object()) << "JSON bodies are parsed";
  const Json& flaky = j["run"][0];
  EXPECT_EQ(flaky["status"], "succeeded");
  EXPECT_EQ(flaky["output"]["status"], 500);
  EXPECT_EQ(flaky["output"]["body"], "boom");
  EXPECT_GE(server_.request_count(), 5);
}

TEST_F(HttpRunTest, JsonpathToleranceNotMetFailsBeforeTheMethod) {
  status_body_ = R"({"services": [{"name": "api", "up": false}]})";
  Outcome o = Run({Example("http-local.json")}, {BaseUrlEnv()});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["steady_states"]["before"]["probes"][1]["tolerance_met"], false);
  EXPECT_EQ(j["run"], Json::array());
}

TEST_F(HttpRunTest, ConnectionRefusedFailsTheProbe) {
  int port = chaosrun::testing::ClosedLoopbackPort();
  Outcome o = Run({Example("http-local.json")},
                  {"CHAOSRUN_EXAMPLE_URL=http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "failed");
  const Json& probe = j["steady_states"]["before"]["probes"][0];
  EXPECT_EQ(probe["status"], "failed");
  EXPECT_EQ(probe["output"], nullptr);
  EXPECT_TRUE(probe["exception"].is_array());
}

}  // namespace
}  // namespace chaosrun::clitest
