// The proxy actions and probes through the built .so against a REAL `chaosrun proxy serve`
// child process (Toxiproxy-compatible API on 127.0.0.1, port 0), with an in-process loopback
// HTTP server as the upstream.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cancel.h"
#include "harness.h"
#include "network/http_client.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace chaosrun::network_driver_test {
namespace {

using ::testing::HasSubstr;

class ProxyActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    driver_ = LoadedDriver(&error);
    ASSERT_NE(driver_, nullptr) << error;
    upstream_.Handle("GET", "/", [](const chaosrun::testing::TestRequest&) {
      chaosrun::testing::TestResponse r;
      r.body = "hello";
      return r;
    });
    server_ = std::make_unique<ProxyServer>(tmp_.path().string());
    ASSERT_TRUE(server_->ok());
    listen_ = server_->CreateProxy("web", "127.0.0.1:" + std::to_string(upstream_.port()));
    ASSERT_FALSE(listen_.empty());
  }

  plugin::CallResult Prepare(const std::string& func, Json args) {
    if (!args.contains("api")) args["api"] = server_->api_text;
    return driver_->Prepare(func, args, CancelToken());
  }
  plugin::CallResult Apply(const std::string& func, const Json& plan) {
    return driver_->Apply(func, plan, CancelToken());
  }
  plugin::CallResult Undo(const std::string& func, const Json& undo) {
    return driver_->Undo(func, undo, CancelToken());
  }
  plugin::CallResult Probe(const std::string& func, Json args) {
    return driver_->Probe(func, args, CancelToken());
  }
  Json Toxics(const std::string& proxy = "web") {
    Json out;
    EXPECT_EQ(server_->Call("GET", "/proxies/" + proxy + "/toxics", nullptr, &out), 200);
    return out;
  }
  // One GET / through the proxy; the HTTP status (0: no answer).
  int GetThroughProxy() {
    std::string error;
    auto url = drivers::network::ParseUrl("http://" + listen_, &error);
    if (!url) return 0;
    drivers::network::HttpResponse r =
        drivers::network::HttpRequest(*url, "GET", "/", "", drivers::network::HttpOptions());
    return r.ok ? r.status : 0;
  }
  int ListenPort() { return std::stoi(listen_.substr(listen_.rfind(':') + 1)); }

  chaosrun::testing::TempDir tmp_;
  chaosrun::testing::HttpServer upstream_;
  std::unique_ptr<ProxyServer> server_;
  plugin::Driver* driver_ = nullptr;
  std::string listen_;
  const Json latency_ = {{"type", "latency"}, {"attributes", {{"latency", 300}}}};
};

TEST_F(ProxyActionsTest, AddToxicAppliesAndUndoRemovesIt) {
  plugin::CallResult plan = Prepare("add_toxic", {{"proxy", "web"}, {"toxic", latency_}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"], Json::array({"proxy:" + server_->api.HostPort() + "/web"}));
  EXPECT_EQ(plan.value["body"]["name"], "latency_downstream");
  EXPECT_EQ(Toxics(), Json::array()) << "prepare must change nothing";

  plugin::CallResult applied = Apply("add_toxic", plan.value);
  ASSERT_TRUE(applied.ok()) << applied.error();
  Json toxics = Toxics();
  ASSERT_EQ(toxics.size(), 1u) << toxics.dump();
  EXPECT_EQ(toxics[0]["name"], "latency_downstream");
  EXPECT_EQ(toxics[0]["type"], "latency");
  EXPECT_EQ(toxics[0]["attributes"]["latency"], 300);

  plugin::CallResult undone = Undo("add_toxic", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["removed"], true);
  EXPECT_EQ(Toxics(), Json::array());
  plugin::CallResult again = Undo("add_toxic", plan.value["undo"]);  // idempotent: 404 is done
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again.value["removed"], false);
}

TEST_F(ProxyActionsTest, ToxicWithADurationRemovesItselfAndTheUndoIsThenANoOp) {
  plugin::CallResult plan =
      Prepare("add_toxic", {{"proxy", "web"}, {"toxic", latency_}, {"duration", 0.05}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["body"]["duration"], 50);
  ASSERT_TRUE(Apply("add_toxic", plan.value).ok());
  EXPECT_TRUE(WaitUntil([&] { return Toxics() == Json::array(); })) << Toxics().dump();
  plugin::CallResult undone = Undo("add_toxic", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["removed"], false);
}

TEST_F(ProxyActionsTest, RefusesAToxicNameThatIsTaken) {
  Json body = latency_;
  body["name"] = "latency_downstream";
  ASSERT_EQ(server_->Call("POST", "/proxies/web/toxics", body, nullptr), 200);
  plugin::CallResult plan = Prepare("add_toxic", {{"proxy", "web"}, {"toxic", latency_}});
  EXPECT_EQ(plan.status, CHAOSRUN_FAILED);
  EXPECT_THAT(plan.error(), HasSubstr("already has a toxic named 'latency_downstream'"));
  EXPECT_EQ(Toxics().size(), 1u);
}

TEST_F(ProxyActionsTest, RefusesAMissingProxyOrAnUnreachableApi) {
  plugin::CallResult plan = Prepare("add_toxic", {{"proxy", "nope"}, {"toxic", latency_}});
  EXPECT_EQ(plan.status, CHAOSRUN_FAILED);
  EXPECT_THAT(plan.error(), HasSubstr("no proxy named 'nope'"));
  // A port nobody listens on: bound, never listening.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string dead = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  plan = Prepare("disable_proxy", {{"api", dead}, {"proxy", "web"}});
  EXPECT_EQ(plan.status, CHAOSRUN_FAILED);
  EXPECT_THAT(plan.error(), HasSubstr("cannot reach the proxy API"));
  plugin::CallResult probe =
      Probe("tcp_connect", {{"host", "127.0.0.1"}, {"port", ntohs(addr.sin_port)}});
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe.value["connected"], false);
  EXPECT_FALSE(probe.value["error"].get<std::string>().empty());
  ::close(fd);
}

// A proxy API whose answer has fields of the wrong type (a broken or hostile server: the real one
// never answers so, hence the in-process stand-in) gets a refusal naming the field or has the
// values passed on as they are; never an exception.
TEST_F(ProxyActionsTest, MalformedApiAnswersAreRefusedNamingTheFieldOrPassedOn) {
  upstream_.Handle("GET", "/proxies/web", [](const chaosrun::testing::TestRequest&) {
    chaosrun::testing::TestResponse r;
    r.body = R"({"name":7,"enabled":"yes","listen":1,"upstream":[],"toxics":[{"name":5}]})";
    return r;
  });
  const std::string api = "http://127.0.0.1:" + std::to_string(upstream_.port());
  plugin::CallResult plan = Prepare("disable_proxy", {{"api", api}, {"proxy", "web"}});
  EXPECT_EQ(plan.status, CHAOSRUN_FAILED);
  EXPECT_THAT(plan.error(), HasSubstr("\"enabled\" is not a boolean"));
  // A toxic whose name is not a string is not one named like ours.
  plan = Prepare("add_toxic", {{"api", api}, {"proxy", "web"}, {"toxic", latency_}});
  EXPECT_TRUE(plan.ok()) << plan.error();
  plugin::CallResult probe = Probe("proxy_stats", {{"api", api}, {"proxy", "web"}});
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe.value["enabled"], "yes");
  EXPECT_EQ(probe.value["name"], 7);
}

TEST_F(ProxyActionsTest, UndoLeavesADifferentToxicOfTheSameName) {
  plugin::CallResult plan = Prepare("add_toxic", {{"proxy", "web"}, {"toxic", latency_}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply("add_toxic", plan.value).ok());
  ASSERT_EQ(server_->Call("DELETE", "/proxies/web/toxics/latency_downstream", nullptr, nullptr),
            204);
  Json other{{"name", "latency_downstream"}, {"type", "bandwidth"}, {"attributes", {{"rate", 1}}}};
  ASSERT_EQ(server_->Call("POST", "/proxies/web/toxics", other, nullptr), 200);
  plugin::CallResult undone = Undo("add_toxic", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["removed"], false);
  Json toxics = Toxics();
  ASSERT_EQ(toxics.size(), 1u);
  EXPECT_EQ(toxics[0]["type"], "bandwidth");
}

TEST_F(ProxyActionsTest, DisableProxyRefusesConnectionsUntilUndone) {
  const Json connect = {{"host", "127.0.0.1"}, {"port", ListenPort()}, {"timeout", 5}};
  EXPECT_EQ(Probe("tcp_connect", connect).value["connected"], true);
  EXPECT_EQ(GetThroughProxy(), 200);
  plugin::CallResult plan = Prepare("disable_proxy", {{"proxy", "web"}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["undo"]["enabled"], true);
  ASSERT_TRUE(Apply("disable_proxy", plan.value).ok());
  Json proxy;
  ASSERT_EQ(server_->Call("GET", "/proxies/web", nullptr, &proxy), 200);
  EXPECT_EQ(proxy["enabled"], false);
  EXPECT_NE(GetThroughProxy(), 200);
  ASSERT_TRUE(Undo("disable_proxy", plan.value["undo"]).ok());
  ASSERT_EQ(server_->Call("GET", "/proxies/web", nullptr, &proxy), 200);
  EXPECT_EQ(proxy["enabled"], true);
  EXPECT_TRUE(WaitUntil([&] { return GetThroughProxy() == 200; }));
}

TEST_F(ProxyActionsTest, CreateProxyAndUndoDeletesIt) {
  const std::string upstream = "127.0.0.1:" + std::to_string(upstream_.port());
  plugin::CallResult plan = Prepare(
      "create_proxy", {{"name", "extra"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(server_->Call("GET", "/proxies/extra", nullptr, nullptr), 404);
  ASSERT_TRUE(Apply("create_proxy", plan.value).ok());
  EXPECT_EQ(server_->Call("GET", "/proxies/extra", nullptr, nullptr), 200);
  // A second create of the same name is refused in prepare.
  EXPECT_EQ(Prepare("create_proxy",
                    {{"name", "extra"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream}})
                .status,
            CHAOSRUN_FAILED);
  ASSERT_TRUE(Undo("create_proxy", plan.value["undo"]).ok());
  EXPECT_EQ(server_->Call("GET", "/proxies/extra", nullptr, nullptr), 404);
  EXPECT_TRUE(Undo("create_proxy", plan.value["undo"]).ok());
}

TEST_F(ProxyActionsTest, ProxyStatsCountsConnectionsAndToxics) {
  ASSERT_EQ(GetThroughProxy(), 200);
  plugin::CallResult plan = Prepare("add_toxic", {{"proxy", "web"}, {"toxic", latency_}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply("add_toxic", plan.value).ok());
  // The proxy counts bytes just after its write returns, so the client may read them a moment
  // before the counter moves: wait (bounded) for the count instead of racing it.
  plugin::CallResult stats;
  EXPECT_TRUE(WaitUntil([&] {
    stats = Probe("proxy_stats", {{"api", server_->api_text}, {"proxy", "web"}});
    return stats.ok() && stats.value.value("bytes_downstream", 0) > 0;
  })) << stats.value.dump();
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_EQ(stats.value["source"], "chaosrun") << stats.value.dump();
  EXPECT_GE(stats.value["connections_total"].get<int>(), 1);
  EXPECT_GT(stats.value["bytes_downstream"].get<int>(), 0);
  EXPECT_EQ(stats.value["toxics_active"], 1);
  ASSERT_TRUE(Undo("add_toxic", plan.value["undo"]).ok());
  plugin::CallResult missing =
      Probe("proxy_stats", {{"api", server_->api_text}, {"proxy", "nope"}});
  EXPECT_EQ(missing.status, CHAOSRUN_FAILED);
}

TEST_F(ProxyActionsTest, TcpConnectMeasuresAConnect) {
  plugin::CallResult r = Probe("tcp_connect", {{"host", "127.0.0.1"}, {"port", upstream_.port()}});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value["connected"], true);
  EXPECT_GE(r.value["connect_ms"].get<double>(), 0.0);
  EXPECT_TRUE(r.value["error"].is_null());
}

}  // namespace
}  // namespace chaosrun::network_driver_test
