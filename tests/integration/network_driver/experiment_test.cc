// experiments/network/latency-300ms.json end to end with the REAL chaosrun binary: a python3
// http.server upstream and a `chaosrun proxy serve` in front of it, both started and stopped
// here on ports the system picks. The hypothesis holds before, the 300 ms toxic makes it deviate
// after the method, and the undo leaves no toxic and an empty ledger.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"
#include "support/temp_dir.h"

namespace chaosrun::network_driver_test {
namespace {

TEST(NetworkExperimentTest, Latency300msIsNoticedAndRemovedAfterwards) {
  chaosrun::testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  tmp.Write("site/index.html", "<p>hello</p>\n");
  PythonHttpServer upstream(dir + "/site", dir);
  ASSERT_GT(upstream.port, 0);
  ProxyServer proxy(dir);
  ASSERT_TRUE(proxy.ok());
  const std::string listen = proxy.CreateProxy("web", "127.0.0.1:" + std::to_string(upstream.port));
  ASSERT_FALSE(listen.empty());

  const std::string experiment =
      std::string(CHAOSRUN_SOURCE_DIR) + "/experiments/network/latency-300ms.json";
  const std::string journal = dir + "/journal.json";
  Child run = StartChild({CHAOSRUN_BINARY, "run", experiment, "--state-dir", dir + "/state",
                          "--journal-path", journal, "--var", "api=" + proxy.api_text, "--var",
                          "proxy=web", "--var", "proxy_url=http://" + listen},
                         dir, "run");
  EXPECT_EQ(WaitChild(run), 1) << "deviated: exit code 1\n" << run.Output();

  Json j = Json::parse(ReadText(journal), nullptr, false);
  ASSERT_TRUE(j.is_object()) << run.Output();
  // As in Chaos Toolkit, a deviated run is "failed" with "deviated": true.
  EXPECT_EQ(j["status"], "failed") << j.dump(2);
  EXPECT_EQ(j["deviated"], true);
  EXPECT_EQ(j["steady_states"]["before"]["steady_state_met"], true) << j.dump(2);
  EXPECT_EQ(j["steady_states"]["after"]["steady_state_met"], false) << j.dump(2);
  ASSERT_GE(j["run"].size(), 2u);
  EXPECT_EQ(j["run"][0]["status"], "succeeded") << j["run"][0].dump(2);
  EXPECT_EQ(j["run"][1]["output"]["toxics_active"], 1) << j["run"][1].dump(2);
  // The undo ran and succeeded.
  EXPECT_NE(j["rollbacks"].dump().find("\"undo\":true"), std::string::npos) << j.dump(2);
  EXPECT_EQ(j["rollbacks"].dump().find("\"failed\""), std::string::npos) << j.dump(2);

  Json toxics;
  ASSERT_EQ(proxy.Call("GET", "/proxies/web/toxics", nullptr, &toxics), 200);
  EXPECT_EQ(toxics, Json::array()) << "the toxic must be gone after the run";
  Json web;
  ASSERT_EQ(proxy.Call("GET", "/proxies/web", nullptr, &web), 200);
  EXPECT_EQ(web["toxics"], Json::array());
  std::error_code ec;
  auto size = std::filesystem::file_size(dir + "/state/ledger.jsonl", ec);
  EXPECT_TRUE(ec || size == 0) << ReadText(dir + "/state/ledger.jsonl");
}

}  // namespace
}  // namespace chaosrun::network_driver_test
