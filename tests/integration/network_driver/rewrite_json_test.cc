// network.rewrite_json through the built .so against a REAL `chaosrun proxy serve` child process
// (its json_rewrite toxic), with an in-process loopback HTTP server as the upstream: prepare
// changes nothing, apply rewrites the JSON answers, undo removes the toxic (idempotent).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/cancel.h"
#include "harness.h"
#include "network/http_client.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace chaosrun::network_driver_test {
namespace rewrite_json_test {

using ::testing::HasSubstr;

class RewriteJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    driver_ = LoadedDriver(&error);
    ASSERT_NE(driver_, nullptr) << error;
    upstream_.Handle("GET", "/records", [](const chaosrun::testing::TestRequest&) {
      chaosrun::testing::TestResponse r;
      r.headers = {{"Content-Type", "application/json"}};
      r.body = R"([{"id":1,"age":30,"income":50000},{"id":2,"age":41,"income":72000.5}])";
      return r;
    });
    server_ = std::make_unique<ProxyServer>(tmp_.path().string());
    ASSERT_TRUE(server_->ok());
    listen_ = server_->CreateProxy("datasource", "127.0.0.1:" + std::to_string(upstream_.port()));
    ASSERT_FALSE(listen_.empty());
  }
  plugin::CallResult Prepare(Json args) {
    if (!args.contains("api")) args["api"] = server_->api_text;
    return driver_->Prepare("rewrite_json", args, CancelToken());
  }
  Json Toxics() {
    Json out;
    EXPECT_EQ(server_->Call("GET", "/proxies/datasource/toxics", nullptr, &out), 200);
    return out;
  }
  Json Records() {
    std::string error;
    auto url = drivers::network::ParseUrl("http://" + listen_, &error);
    EXPECT_TRUE(url.has_value()) << error;
    drivers::network::HttpResponse r =
        drivers::network::HttpRequest(*url, "GET", "/records", "", drivers::network::HttpOptions());
    EXPECT_TRUE(r.ok) << r.error;
    return Json::parse(r.body, nullptr, false);
  }

  chaosrun::testing::TempDir tmp_;
  chaosrun::testing::HttpServer upstream_;
  std::unique_ptr<ProxyServer> server_;
  plugin::Driver* driver_ = nullptr;
  std::string listen_;
  const Json ops_ = Json::array({{{"op", "rename"}, {"field", "age"}, {"to", "age_years"}},
                                 {{"op", "scale"}, {"field", "income"}, {"factor", 100}}});
};

TEST_F(RewriteJsonTest, ApplyRewritesTheAnswersAndUndoRemovesTheToxic) {
  plugin::CallResult plan = Prepare({{"proxy", "datasource"}, {"operations", ops_}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"],
            Json::array({"proxy:" + server_->api.HostPort() + "/datasource"}));
  EXPECT_EQ(plan.value["body"]["type"], "json_rewrite");
  EXPECT_EQ(plan.value["body"]["name"], "json_rewrite_downstream");
  EXPECT_EQ(Toxics(), Json::array()) << "prepare must change nothing";
  EXPECT_EQ(Records()[0]["age"], 30);

  plugin::CallResult applied = driver_->Apply("rewrite_json", plan.value, CancelToken());
  ASSERT_TRUE(applied.ok()) << applied.error();
  Json toxics = Toxics();
  ASSERT_EQ(toxics.size(), 1u) << toxics.dump();
  EXPECT_EQ(toxics[0]["type"], "json_rewrite");
  EXPECT_EQ(toxics[0]["attributes"]["max_body_bytes"], 1048576);
  Json records = Records();
  ASSERT_TRUE(records.is_array()) << records.dump();
  EXPECT_EQ(records[0], (Json{{"id", 1}, {"income", 5000000}, {"age_years", 30}}));
  EXPECT_DOUBLE_EQ(records[1]["income"].get<double>(), 7200050.0);

  plugin::CallResult undone = driver_->Undo("rewrite_json", plan.value["undo"], CancelToken());
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["removed"], true);
  EXPECT_EQ(Toxics(), Json::array());
  EXPECT_EQ(Records()[0]["age"], 30);
  plugin::CallResult again = driver_->Undo("rewrite_json", plan.value["undo"], CancelToken());
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again.value["removed"], false);
}

TEST_F(RewriteJsonTest, EveryArgumentAndTheUpstreamStream) {
  plugin::CallResult plan =
      Prepare({{"proxy", "datasource"},
               {"operations", Json::array({{{"op", "drop"}, {"field", "x"}}})},
               {"records", "/items"},
               {"max_body_bytes", 4096},
               {"stream", "upstream"},
               {"toxic_name", "drift"},
               {"toxicity", 0.5}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(driver_->Apply("rewrite_json", plan.value, CancelToken()).ok());
  Json toxic;
  ASSERT_EQ(server_->Call("GET", "/proxies/datasource/toxics/drift", nullptr, &toxic), 200);
  EXPECT_EQ(toxic["stream"], "upstream");
  EXPECT_EQ(toxic["toxicity"], 0.5);
  EXPECT_EQ(toxic["attributes"]["records"], "/items");
  EXPECT_EQ(toxic["attributes"]["max_body_bytes"], 4096);
  // The name is taken now: a second prepare is refused (its undo would remove this one).
  plugin::CallResult twice =
      Prepare({{"proxy", "datasource"}, {"operations", ops_}, {"toxic_name", "drift"}});
  EXPECT_EQ(twice.status, CHAOSRUN_FAILED);
  EXPECT_THAT(twice.error(), HasSubstr("already has a toxic named 'drift'"));
  ASSERT_TRUE(driver_->Undo("rewrite_json", plan.value["undo"], CancelToken()).ok());
  EXPECT_EQ(Toxics(), Json::array());
}

TEST_F(RewriteJsonTest, BadArgumentsAreRefusedAtPrepareNamingTheMember) {
  auto error = [&](Json args) {
    plugin::CallResult r = Prepare(std::move(args));
    EXPECT_FALSE(r.ok());
    return r.error();
  };
  Json bad_op =
      Json::array({{{"op", "drop"}, {"field", "x"}}, {{"op", "explode"}, {"field", "x"}}});
  EXPECT_THAT(error({{"proxy", "datasource"}, {"operations", bad_op}}),
              HasSubstr("/operations/1/op must be one of drop, rename, scale, retype"));
  EXPECT_THAT(error({{"proxy", "datasource"},
                     {"operations", Json::array({{{"op", "rename"}, {"field", "x"}}})}}),
              HasSubstr("/operations/0/to is required for rename"));
  EXPECT_THAT(
      error({{"proxy", "datasource"},
             {"operations", Json::array({{{"op", "retype"}, {"field", "x"}, {"type", "date"}}})}}),
      HasSubstr("/operations/0/type must be one of"));
  EXPECT_THAT(error({{"proxy", "datasource"}, {"operations", ops_}, {"max_body_bytes", 0}}),
              HasSubstr("max_body_bytes must be an integer from 1 to 67108864"));
  EXPECT_THAT(error({{"proxy", "datasource"}}), HasSubstr("operations is required"));
  EXPECT_THAT(error({{"proxy", "nope"}, {"operations", ops_}}), HasSubstr("no proxy named 'nope'"));
  EXPECT_THAT(error({{"proxy", "datasource"}, {"operations", ops_}, {"proxy_api", "http://x:1"}}),
              HasSubstr("proxy_api"));
  EXPECT_EQ(Toxics(), Json::array());
}

// A whole `chaosrun run`: the action rewrites what a python3 http.server answers through the
// proxy while the method's probe reads it; the fault's undo leaves no toxic and an empty ledger.
TEST(RewriteJsonRunTest, ChaosrunRunRewritesAndUndoesIt) {
  chaosrun::testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  tmp.Write("site/records.json", R"([{"id":1,"age":30},{"id":2,"age":41}])");
  PythonHttpServer upstream(dir + "/site", dir);
  ASSERT_GT(upstream.port, 0);
  ProxyServer proxy(dir);
  ASSERT_TRUE(proxy.ok());
  const std::string listen =
      proxy.CreateProxy("datasource", "127.0.0.1:" + std::to_string(upstream.port));
  ASSERT_FALSE(listen.empty());
  const Json probe = {
      {"type", "probe"},
      {"name", "records"},
      {"provider", {{"type", "http"}, {"url", "http://" + listen + "/records.json"}}}};
  Json experiment = {
      {"title", "renamed fields reach the client, and stop afterwards"},
      {"description", "network.rewrite_json end to end"},
      {"blast-radius", {{"allow", Json::array({"proxy:127.0.0.1:*/*"})}}},
      {"steady-state-hypothesis",
       {{"title", "the records answer"},
        {"probes",
         Json::array({{{"type", "probe"},
                       {"name", "answers"},
                       {"tolerance", 200},
                       {"provider",
                        {{"type", "http"}, {"url", "http://" + listen + "/records.json"}}}}})}}},
      {"method",
       Json::array(
           {{{"type", "action"},
             {"name", "rename-age"},
             {"provider",
              {{"type", "driver"},
               {"driver", "network"},
               {"func", "rewrite_json"},
               {"arguments",
                {{"api", proxy.api_text},
                 {"proxy", "datasource"},
                 {"operations",
                  Json::array({{{"op", "rename"}, {"field", "age"}, {"to", "age_years"}}})}}}}}},
            probe})},
      {"rollbacks", Json::array()}};
  const std::string path = tmp.Write("experiment.json", experiment.dump(2));
  const std::string journal = dir + "/journal.json";
  Child run = StartChild(
      {CHAOSRUN_BINARY, "run", path, "--state-dir", dir + "/state", "--journal-path", journal}, dir,
      "run");
  EXPECT_EQ(WaitChild(run), 0) << run.Output();
  Json j = Json::parse(ReadText(journal), nullptr, false);
  ASSERT_TRUE(j.is_object()) << run.Output();
  ASSERT_GE(j["run"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["run"][0]["status"], "succeeded") << j["run"][0].dump(2);
  const std::string seen = j["run"][1]["output"].dump();
  EXPECT_NE(seen.find("age_years"), std::string::npos) << j["run"][1].dump(2);
  EXPECT_EQ(j["rollbacks"].dump().find("\"failed\""), std::string::npos) << j.dump(2);
  Json toxics;
  ASSERT_EQ(proxy.Call("GET", "/proxies/datasource/toxics", nullptr, &toxics), 200);
  EXPECT_EQ(toxics, Json::array()) << "the toxic must be gone after the run";
  std::error_code ec;
  auto size = std::filesystem::file_size(dir + "/state/ledger.jsonl", ec);
  EXPECT_TRUE(ec || size == 0) << ReadText(dir + "/state/ledger.jsonl");
}

}  // namespace rewrite_json_test
}  // namespace chaosrun::network_driver_test
