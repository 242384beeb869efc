// The telemetry faults' prepare/apply/undo against a loopback HTTP server that answers like the
// proxy API. A stand-in: this unit test links only the driver's core, not the proxy engine; the
// real API and engine are exercised end to end in tests/integration/telemetry_driver.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/http_server.h"
#include "telemetry/actions.h"

namespace chaosrun::drivers::telemetry {
namespace {

using chaosrun::testing::HttpServer;
using chaosrun::testing::TestRequest;
using chaosrun::testing::TestResponse;
using nlohmann::json;

std::string Api(const HttpServer& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }

void ServeProxy(HttpServer& s, const json& proxy) {
  s.Handle("GET", "/proxies/scrape", [proxy](const TestRequest&) {
    return TestResponse{200, {{"Content-Type", "application/json"}}, proxy.dump(), nullptr};
  });
}

json Plan(const std::string& func, json args, HttpServer& s) {
  args["proxy_api"] = Api(s);
  args["proxy"] = "scrape";
  sdk::Reply r = Prepare(func, args, Env{});
  EXPECT_EQ(r.status, CHAOSRUN_OK) << r.value.dump();
  return r.value;
}

TEST(FaultsTest, FamilyIsRegisteredInTheDescriptor) {
  for (const char* f : {"blackhole", "delay", "drop", "corrupt", "pause_process"}) {
    EXPECT_TRUE(IsFaultAction(f)) << f;
  }
  std::vector<std::string> names;
  for (const auto& a : FaultActionsDescriptor()) names.push_back(a["name"]);
  EXPECT_EQ(names,
            (std::vector<std::string>{"blackhole", "delay", "drop", "corrupt", "pause_process"}));
  // pause_process takes the process driver's stop schema (one definition of the selectors).
  EXPECT_TRUE(FaultActionsDescriptor()[4]["arguments"]["properties"].contains("pidfile"));
}

TEST(FaultsTest, PrepareHasNoSideEffectAndComputesTheUndo) {
  HttpServer s;
  ServeProxy(s, json{{"name", "scrape"}, {"toxics", json::array()}});
  json plan = Plan("blackhole", json::object(), s);
  EXPECT_EQ(s.request_count(), 1);  // one GET, nothing else
  EXPECT_EQ(plan["targets"],
            json::array({"proxy:127.0.0.1:" + std::to_string(s.port()) + "/scrape"}));
  EXPECT_EQ(plan["body"]["type"], "timeout");
  EXPECT_EQ(plan["body"]["stream"], "upstream");
  EXPECT_EQ(plan["body"]["attributes"]["timeout"], 0);
  EXPECT_EQ(plan["undo"]["toxic"], "chaosrun_blackhole");
  EXPECT_EQ(plan["protocol"], "tcp");
}

TEST(FaultsTest, DropIsResetPeerOnTcpAndTimeoutOnUdpWithTheSeedReported) {
  HttpServer tcp;
  ServeProxy(tcp, json{{"name", "scrape"}});
  json plan = Plan("drop", json{{"fraction", 0.25}, {"seed", 42}}, tcp);
  EXPECT_EQ(plan["body"]["type"], "reset_peer");
  EXPECT_EQ(plan["body"]["toxicity"], 0.25);
  EXPECT_EQ(plan["body"]["seed"], 42);
  EXPECT_EQ(plan["seed"], 42);
  HttpServer udp;
  ServeProxy(udp, json{{"name", "scrape"}, {"protocol", "udp"}});
  json generated = Plan("drop", json{{"fraction", 0.5}}, udp);
  EXPECT_EQ(generated["body"]["type"], "timeout");
  ASSERT_TRUE(generated["seed"].is_number_unsigned());  // drawn, so the journal can replay it
  EXPECT_EQ(generated["body"]["seed"], generated["seed"]);
}

TEST(FaultsTest, DelayAndCorruptBodies) {
  HttpServer s;
  ServeProxy(s, json{{"name", "scrape"}});
  json delay = Plan("delay", json{{"latency", 250}, {"jitter", 10}}, s);
  EXPECT_EQ(delay["body"]["type"], "latency");
  EXPECT_EQ(delay["body"]["stream"], "downstream");
  EXPECT_EQ(delay["body"]["attributes"], (json{{"latency", 250}, {"jitter", 10}}));
  json corrupt = Plan("corrupt", json{{"rate", 0.05}, {"seed", 3}}, s);
  EXPECT_EQ(corrupt["body"]["attributes"]["rate"], 50000);  // parts per million
}

TEST(FaultsTest, BadArgumentsNameTheField) {
  auto invalid = [](const std::string& func, json args) {
    sdk::Reply r = Prepare(func, args, Env{});
    EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT) << r.value.dump();
    return r.value.value("error", std::string());
  };
  EXPECT_EQ(invalid("delay", json{{"latency", 1}}), "delay: proxy: required");
  EXPECT_EQ(invalid("blackhole", json{{"proxy", "a"}, {"bogus", 1}}),
            "blackhole: unknown argument 'bogus'");
  EXPECT_EQ(invalid("blackhole", json{{"proxy", "a/b"}}),
            "blackhole: proxy: letters, digits and _.- only (at most 128)");
  EXPECT_EQ(invalid("blackhole", json{{"proxy", "a"}, {"stream", "sideways"}}),
            "blackhole: stream: must be \"upstream\" or \"downstream\"");
}

TEST(FaultsTest, RefusesAMissingProxyAndATakenToxicName) {
  HttpServer s;  // nothing registered: GET /proxies/scrape is a 404
  sdk::Reply r = Prepare("blackhole", json{{"proxy_api", Api(s)}, {"proxy", "scrape"}}, Env{});
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_NE(r.value["error"].get<std::string>().find("no proxy named 'scrape'"), std::string::npos);
  HttpServer taken;
  ServeProxy(taken, json{{"name", "scrape"}, {"toxics", {{{"name", "chaosrun_delay"}}}}});
  r = Prepare("delay", json{{"proxy_api", Api(taken)}, {"proxy", "scrape"}, {"latency", 5}}, Env{});
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
}

TEST(FaultsTest, UndoRemovesTheToxicAndAMissingOneIsSuccess) {
  HttpServer s;
  int deletes = 0;
  s.Handle("DELETE", "/proxies/scrape/toxics/chaosrun_drop", [&deletes](const TestRequest&) {
    ++deletes;
    return TestResponse{deletes == 1 ? 204 : 404, {}, "", nullptr};
  });
  json undo{{"api", Api(s)}, {"proxy", "scrape"}, {"toxic", "chaosrun_drop"}};
  sdk::Reply first = Undo("drop", undo, Env{});
  EXPECT_EQ(first.status, CHAOSRUN_OK);
  EXPECT_EQ(first.value["removed"], true);
  sdk::Reply again = Undo("drop", undo, Env{});  // idempotent
  EXPECT_EQ(again.status, CHAOSRUN_OK);
  EXPECT_EQ(again.value["removed"], false);
  EXPECT_EQ(Undo("drop", json{{"proxy", "x"}}, Env{}).status, CHAOSRUN_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace chaosrun::drivers::telemetry
