// `chaosrun proxy serve` logs, without --verbose, its API address, each proxy from --config with
// its address, and one line per proxy and toxic change made over the API (create, update,
// enable/disable, delete, toxic add/update/remove, reset). The real binary over a real socket;
// its stderr is read once it has exited (SIGTERM), so nothing depends on timing.
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>

#include "echo_server.h"
#include "http_client.h"
#include "serve_process.h"
#include "support/temp_dir.h"

namespace chaosrun::apitest {
namespace {

// The lines of `text` that contain `needle`.
std::vector<std::string> LogLinesWith(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

TEST(ProxyServeLog, EveryChangeIsOneInfoLine) {
  EchoServer echo;
  const std::string upstream = "127.0.0.1:" + std::to_string(echo.port());
  chaosrun::testing::TempDir dir;
  const std::string config =
      dir.Write("proxies.json", R"([{"name":"fromconfig","listen":"127.0.0.1:0","upstream":")" +
                                    upstream + R"("}])");
  ServeProcess serve({"proxy", "serve", "--api", "127.0.0.1:0", "--config", config});
  const int api = serve.WaitForApiPort();
  ASSERT_GT(api, 0);

  auto created = Fetch(api, "POST", "/proxies",
                       R"({"name":"web","listen":"127.0.0.1:0","upstream":")" + upstream + R"("})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string listen = created->json()["listen"].get<std::string>();
  auto toxic = Fetch(api, "POST", "/proxies/web/toxics",
                     R"({"type":"latency","attributes":{"latency":250}})");
  ASSERT_TRUE(toxic);
  ASSERT_EQ(toxic->status, 200) << toxic->body;
  auto updated = Fetch(api, "POST", "/proxies/web/toxics/latency_downstream",
                       R"({"attributes":{"latency":300}})");
  ASSERT_TRUE(updated);
  ASSERT_EQ(updated->status, 200) << updated->body;
  auto removed = Fetch(api, "DELETE", "/proxies/web/toxics/latency_downstream");
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->status, 204);
  auto disabled = Fetch(api, "POST", "/proxies/web", R"({"enabled":false})");
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  auto enabled = Fetch(api, "POST", "/proxies/web", R"({"enabled":true})");
  ASSERT_TRUE(enabled);
  ASSERT_EQ(enabled->status, 200) << enabled->body;
  auto shown = Fetch(api, "GET", "/proxies/web");  // a read changes nothing: no line
  ASSERT_TRUE(shown);
  auto reset = Fetch(api, "POST", "/reset");
  ASSERT_TRUE(reset);
  auto deleted = Fetch(api, "DELETE", "/proxies/web");
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 204);
  // A refused change (unknown proxy) is the client's answer, not a change.
  auto missing = Fetch(api, "DELETE", "/proxies/nosuch");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  serve.Signal(SIGTERM);
  Exit exit = serve.Wait();
  EXPECT_EQ(exit.code, 0) << exit.err;
  const std::string& err = exit.err;
  EXPECT_EQ(
      LogLinesWith(err, "proxy API listening on http://127.0.0.1:" + std::to_string(api)).size(),
      1u)
      << err;
  EXPECT_EQ(LogLinesWith(err, "INFO] proxy fromconfig: created, listening on 127.0.0.1:").size(),
            1u)
      << err;
  const auto web = LogLinesWith(err, "INFO] proxy web: ");
  ASSERT_EQ(web.size(), 7u) << err;
  EXPECT_NE(web[0].find("created, listening on " + listen + " -> upstream " + upstream),
            std::string::npos)
      << web[0];
  EXPECT_NE(web[1].find("toxic latency_downstream added (latency downstream"), std::string::npos)
      << web[1];
  EXPECT_NE(web[1].find("latency=250"), std::string::npos) << web[1];
  EXPECT_NE(web[2].find("toxic latency_downstream updated"), std::string::npos) << web[2];
  EXPECT_NE(web[2].find("latency=300"), std::string::npos) << web[2];
  EXPECT_NE(web[3].find("toxic latency_downstream removed"), std::string::npos) << web[3];
  EXPECT_NE(web[4].find("disabled"), std::string::npos) << web[4];
  EXPECT_NE(web[5].find("enabled (listening on "), std::string::npos) << web[5];
  EXPECT_NE(web[6].find("deleted"), std::string::npos) << web[6];
  EXPECT_EQ(LogLinesWith(err, "INFO] proxies reset").size(), 1u) << err;
  EXPECT_TRUE(LogLinesWith(err, "nosuch").empty()) << err;
  EXPECT_TRUE(LogLinesWith(err, "ERROR]").empty()) << err;
  EXPECT_TRUE(LogLinesWith(err, "WARNING]").empty()) << err;
}

// A name from a client holding a newline cannot forge a log line: it is shown JSON-quoted.
TEST(ProxyServeLog, ANameCannotForgeALogLine) {
  EchoServer echo;
  const std::string upstream = "127.0.0.1:" + std::to_string(echo.port());
  ServeProcess serve({"proxy", "serve", "--api", "127.0.0.1:0"});
  const int api = serve.WaitForApiPort();
  ASSERT_GT(api, 0);
  auto created =
      Fetch(api, "POST", "/proxies",
            R"({"name":"evil\n[2026-12-07 13:00:00 ERROR] forged","listen":"127.0.0.1:0",)"
            R"("upstream":")" +
                upstream + R"("})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  serve.Signal(SIGTERM);
  Exit exit = serve.Wait();
  EXPECT_EQ(exit.code, 0) << exit.err;
  std::istringstream lines(exit.err);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(line.rfind("[2026-12-07 13:00:00", 0), 0u) << "a forged line: " << line;
  }
  EXPECT_EQ(
      LogLinesWith(exit.err, R"(INFO] proxy "evil\n[2026-12-07 13:00:00 ERROR] forged": )").size(),
      1u)
      << exit.err;
}

}  // namespace
}  // namespace chaosrun::apitest
