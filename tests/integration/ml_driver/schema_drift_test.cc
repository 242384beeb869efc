// schema_drift through the real `chaosrun run`, against a fake proxy API of the test
// (support/http_server.h): checks the exact requests (GET the proxy in prepare, POST the
// json_rewrite toxic, DELETE it in the undo, the bearer token from api_token_file), that
// `chaosrun recover` deletes the toxic after a SIGKILLed runner, that a toxic already gone is a
// successful undo, and that a proxy with a toxic of the same name is refused. Then the same
// through the real `chaosrun proxy serve`, whose json_rewrite toxic rewrites the records (skipped
// while the binary under test has no json_rewrite toxic).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>
#include <regex>

#include "integration/ml_driver/ml_harness.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace chaosrun::ml_test {
namespace {

struct FakeProxyApi {
  explicit FakeProxyApi(int delete_status = 204) {
    server.Handle("GET", "/proxies/datasource", [this](const testing::TestRequest& rq) {
      Record(rq);
      json toxics = json::array();
      {
        std::lock_guard lock(mu);
        if (has_toxic) toxics.push_back(json{{"name", "chaosrun_ml_schema_drift"}});
      }
      return testing::TestResponse{
          200,
          {{"Content-Type", "application/json"}},
          json{{"name", "datasource"}, {"enabled", true}, {"toxics", toxics}}.dump(),
          {}};
    });
    server.Handle("POST", "/proxies/datasource/toxics", [this](const testing::TestRequest& rq) {
      Record(rq);
      std::lock_guard lock(mu);
      posted = json::parse(rq.body, nullptr, false);
      has_toxic = true;
      return testing::TestResponse{200, {{"Content-Type", "application/json"}}, rq.body, {}};
    });
    server.Handle("DELETE", "/proxies/datasource/toxics/chaosrun_ml_schema_drift",
                  [this, delete_status](const testing::TestRequest& rq) {
                    Record(rq);
                    std::lock_guard lock(mu);
                    ++deletes;
                    has_toxic = false;
                    return testing::TestResponse{delete_status, {}, "", {}};
                  });
  }
  void Record(const testing::TestRequest& rq) {
    std::lock_guard lock(mu);
    requests.push_back(rq.method + " " + rq.path);
    auto auth = rq.Header("Authorization");
    authorization.push_back(auth ? *auth : "");
  }
  std::string Api() const { return "http://127.0.0.1:" + std::to_string(server.port()); }

  std::mutex mu;
  std::vector<std::string> requests, authorization;
  json posted;
  bool has_toxic = false;
  int deletes = 0;
  testing::HttpServer server;
};

json Operations() {
  return json::array({json{{"op", "rename"}, {"field", "age"}, {"to", "age_years"}},
                      json{{"op", "scale"}, {"field", "income"}, {"factor", 100}}});
}

json DriftExperiment(const std::string& dir, const FakeProxyApi& api, json extra = json::object()) {
  json args{{"proxy_api", api.Api()}, {"proxy", "datasource"}, {"operations", Operations()}};
  for (const auto& item : extra.items()) args[item.key()] = item.value();
  return MlExperiment(
      "schema_drift", args,
      json::array({"proxy:127.0.0.1:" + std::to_string(api.server.port()) + "/datasource"}), dir);
}

TEST(MlSchemaDrift, AddsTheJsonRewriteToxicAndTheUndoDeletesIt) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  FakeProxyApi api;
  const std::string token_file = tmp.Write("token", "s3cret-token\n");
  ASSERT_EQ(::chmod(token_file.c_str(), 0600), 0);
  int rc = RunThroughGate(
      dir, driver_dir, DriftExperiment(dir, api, {{"api_token_file", token_file}, {"records", ""}}),
      [&] {
        std::lock_guard lock(api.mu);
        EXPECT_TRUE(api.has_toxic);
      },
      false);
  EXPECT_EQ(rc, 0) << ReadAll(dir + "/run.log");
  std::lock_guard lock(api.mu);
  EXPECT_EQ(api.requests, (std::vector<std::string>{
                              "GET /proxies/datasource", "POST /proxies/datasource/toxics",
                              "DELETE /proxies/datasource/toxics/chaosrun_ml_schema_drift"}));
  for (const std::string& a : api.authorization) EXPECT_EQ(a, "Bearer s3cret-token");
  json expected{{"name", "chaosrun_ml_schema_drift"},
                {"type", "json_rewrite"},
                {"stream", "downstream"},
                {"toxicity", 1.0},
                {"attributes", {{"operations", Operations()}, {"records", ""}}}};
  EXPECT_EQ(api.posted, expected) << api.posted.dump();
  EXPECT_FALSE(api.has_toxic);
  // The journal never holds the token.
  EXPECT_EQ(ReadAll(dir + "/journal.json").find("s3cret"), std::string::npos);
}

TEST(MlSchemaDrift, RecoverDeletesTheToxicAfterTheRunnerIsKilled) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  FakeProxyApi api;
  ASSERT_EQ(RunThroughGate(dir, driver_dir, DriftExperiment(dir, api), nullptr, true), 128 + 9);
  {
    std::lock_guard lock(api.mu);
    EXPECT_TRUE(api.has_toxic);
  }
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  std::lock_guard lock(api.mu);
  EXPECT_FALSE(api.has_toxic);
  EXPECT_EQ(api.deletes, 1);
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

TEST(MlSchemaDrift, AToxicAlreadyGoneIsASuccessfulUndo) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  FakeProxyApi api(404);
  ASSERT_EQ(RunThroughGate(dir, driver_dir, DriftExperiment(dir, api), nullptr, true), 128 + 9);
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

TEST(MlSchemaDrift, RefusedWhenTheProxyHasAToxicOfThatNameOrIsMissing) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  FakeProxyApi api;
  api.has_toxic = true;
  WriteFile(dir + "/e.json", DriftExperiment("", api).dump());
  std::string out;
  RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state", "--journal-path",
               dir + "/j.json", dir + "/e.json"},
              dir + "/run.log", &out);
  EXPECT_NE(out.find("already has a toxic named 'chaosrun_ml_schema_drift'"), std::string::npos)
      << out;
  json missing = DriftExperiment("", api);
  missing["method"][0]["provider"]["arguments"]["proxy"] = "nosuchproxy";
  WriteFile(dir + "/e2.json", missing.dump());
  RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state", "--journal-path",
               dir + "/j2.json", dir + "/e2.json"},
              dir + "/run2.log", &out);
  EXPECT_NE(out.find("no proxy named 'nosuchproxy'"), std::string::npos) << out;
  std::lock_guard lock(api.mu);
  EXPECT_EQ(api.deletes, 0);
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

TEST(MlSchemaDrift, ValidateNamesAWrongOperation) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  json args{{"proxy", "datasource"},
            {"operations", json::array({json{{"op", "explode"}, {"field", "age"}}})}};
  WriteFile(dir + "/bad.json", MlExperiment("schema_drift", args, json::array()).dump());
  std::string out;
  EXPECT_NE(RunChaosrun({"validate", "--driver-dir", driver_dir, dir + "/bad.json"},
                        dir + "/validate.log", &out),
            0);
  EXPECT_NE(out.find("/method/0/provider/arguments/operations/0/op"), std::string::npos) << out;
}

// What only prepare used to refuse, validate refuses too, naming the place.
TEST(MlSchemaDrift, ValidateRefusesArgumentsOfTheWrongOp) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  struct Bad {
    json args;
    std::string pointer;
  };
  const std::vector<Bad> bad = {
      {{{"proxy", "datasource"},
        {"operations", json::array({json{{"op", "rename"}, {"field", "age"}}})}},
       "/method/0/provider/arguments/operations/0"},
      {{{"proxy", "datasource"},
        {"operations",
         json::array({json{{"op", "scale"}, {"field", "age"}, {"factor", 2}, {"to", "x"}}})}},
       "/method/0/provider/arguments/operations/0/to"},
      {{{"proxy", "datasource"},
        {"operations", json::array({json{{"op", "drop"}, {"field", "age"}}})},
        {"records", "x"}},
       "/method/0/provider/arguments/records"},
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    const std::string path = dir + "/bad" + std::to_string(i) + ".json";
    WriteFile(path, MlExperiment("schema_drift", bad[i].args, json::array()).dump());
    std::string out;
    EXPECT_NE(RunChaosrun({"validate", "--driver-dir", driver_dir, path}, path + ".log", &out), 0)
        << bad[i].args.dump() << ":\n"
        << out;
    EXPECT_NE(out.find(bad[i].pointer), std::string::npos) << bad[i].args.dump() << ":\n" << out;
  }
  // The right forms pass.
  json good{{"proxy", "datasource"},
            {"records", "/data"},
            {"operations", json::array({json{{"op", "rename"}, {"field", "age"}, {"to", "years"}},
                                        json{{"op", "scale"}, {"field", "w"}, {"factor", 2}},
                                        json{{"op", "retype"}, {"field", "id"}, {"type", "string"}},
                                        json{{"op", "drop"}, {"field", "/a/b"}}})}};
  WriteFile(dir + "/good.json", MlExperiment("schema_drift", good, json::array()).dump());
  std::string out;
  EXPECT_EQ(RunChaosrun({"validate", "--driver-dir", driver_dir, dir + "/good.json"},
                        dir + "/good.log", &out),
            0)
      << out;
}

// One HTTP/1.1 exchange with 127.0.0.1:port (Connection: close): the status and the body.
struct RawAnswer {
  int status = 0;
  std::string body;
};
RawAnswer RawHttp(int port, const std::string& method, const std::string& path,
                  const std::string& body = "") {
  RawAnswer a;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return a;
  }
  std::string rq = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                   (body.empty() ? "" : "Content-Type: application/json\r\n") +
                   "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)!::send(fd, rq.data(), rq.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (got.rfind("HTTP/1.", 0) == 0 && got.size() > 12) a.status = std::atoi(got.c_str() + 9);
  size_t end = got.find("\r\n\r\n");
  if (end != std::string::npos) a.body = got.substr(end + 4);
  return a;
}

TEST(MlSchemaDrift, TheRealProxyRewritesTheRecordsUntilTheUndo) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  const std::string records =
      R"([{"id": 1, "age": 30, "income": 50000.0}, {"id": 2, "age": 40, "income": 60000.0}])";
  testing::HttpServer upstream;
  upstream.Handle("GET", "/records", [&](const testing::TestRequest&) {
    return testing::TestResponse{200, {{"Content-Type", "application/json"}}, records, {}};
  });
  const int listen_port = testing::ClosedLoopbackPort();
  const std::string config =
      tmp.Write("proxies.json",
                json::array({json{{"name", "datasource"},
                                  {"listen", "127.0.0.1:" + std::to_string(listen_port)},
                                  {"upstream", "127.0.0.1:" + std::to_string(upstream.port())},
                                  {"enabled", true}}})
                    .dump());
  const std::string log = dir + "/proxy.log";
  pid_t proxy =
      StartChild({Binary(), "proxy", "serve", "--api", "127.0.0.1:0", "--config", config}, log);
  int api_port = 0;
  const std::regex listening("API listening on http://127\\.0\\.0\\.1:([0-9]+)");
  ASSERT_TRUE(PollUntil([&] {
    std::smatch m;
    const std::string text = ReadAll(log);
    if (!std::regex_search(text, m, listening)) return false;
    api_port = std::stoi(m[1]);
    return true;
  })) << ReadAll(log);
  struct StopProxy {
    pid_t pid;
    ~StopProxy() {
      ::kill(pid, SIGTERM);
      WaitChild(pid);
    }
  } stop{proxy};
  // This binary's proxy ships the json_rewrite toxic: refusing it is a failure.
  json probe{{"name", "probe"},
             {"type", "json_rewrite"},
             {"attributes", {{"operations", json::array({json{{"op", "drop"}, {"field", "x"}}})}}}};
  RawAnswer added = RawHttp(api_port, "POST", "/proxies/datasource/toxics", probe.dump());
  ASSERT_EQ(added.status, 200) << "the proxy refused a json_rewrite toxic: " << added.body;
  ASSERT_EQ(RawHttp(api_port, "DELETE", "/proxies/datasource/toxics/probe").status / 100, 2);
  ASSERT_EQ(RawHttp(listen_port, "GET", "/records").body, records);

  json args{{"proxy_api", "http://127.0.0.1:" + std::to_string(api_port)},
            {"proxy", "datasource"},
            {"operations", Operations()}};
  json exp = MlExperiment(
      "schema_drift", args,
      json::array({"proxy:127.0.0.1:" + std::to_string(api_port) + "/datasource"}), dir);
  int rc = RunThroughGate(
      dir, driver_dir, exp,
      [&] {
        json got = json::parse(RawHttp(listen_port, "GET", "/records").body, nullptr, false);
        ASSERT_TRUE(got.is_array()) << got.dump();
        ASSERT_EQ(got.size(), 2u);
        EXPECT_EQ(got[0], (json{{"id", 1}, {"age_years", 30}, {"income", 5000000.0}}));
        EXPECT_EQ(got[1], (json{{"id", 2}, {"age_years", 40}, {"income", 6000000.0}}));
      },
      false);
  EXPECT_EQ(rc, 0) << ReadAll(dir + "/run.log");
  EXPECT_EQ(RawHttp(listen_port, "GET", "/records").body, records);  // byte for byte again
  json proxy_now =
      json::parse(RawHttp(api_port, "GET", "/proxies/datasource").body, nullptr, false);
  EXPECT_EQ(proxy_now.value("toxics", json()), json::array()) << proxy_now.dump();
}

}  // namespace
}  // namespace chaosrun::ml_test
