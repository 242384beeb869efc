// The proxy actions' argument checks and the Toxiproxy request bodies they become.
#include "network/proxy_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosrun::drivers::network {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string Error(const std::string& func, const json& args) {
  ProxyActionSpec spec;
  return ParseProxyAction(func, args, &spec);
}

TEST(ProxySpecTest, ToxicDefaultsAreToxiproxys) {
  ProxyActionSpec s;
  ASSERT_EQ(ParseProxyAction("add_toxic",
                             {{"proxy", "redis"},
                              {"toxic", {{"type", "latency"}, {"attributes", {{"latency", 300}}}}}},
                             &s),
            "");
  EXPECT_EQ(s.api.ToString(), "http://127.0.0.1:8474");
  EXPECT_EQ(s.proxy, "redis");
  EXPECT_EQ(s.toxic.Body(), (json{{"name", "latency_downstream"},
                                  {"type", "latency"},
                                  {"stream", "downstream"},
                                  {"toxicity", 1.0},
                                  {"attributes", {{"latency", 300}}}}));
}

TEST(ProxySpecTest, ToxicWithEverything) {
  ProxyActionSpec s;
  ASSERT_EQ(ParseProxyAction("add_toxic",
                             {{"api", "http://127.0.0.1:9/"},
                              {"proxy", "db"},
                              {"duration", 2.5},
                              {"toxic",
                               {{"name", "slow"},
                                {"type", "bandwidth"},
                                {"stream", "upstream"},
                                {"toxicity", 0.5},
                                {"attributes", {{"rate", 100}}}}}},
                             &s),
            "");
  json b = s.toxic.Body();
  EXPECT_EQ(b["name"], "slow");
  EXPECT_EQ(b["stream"], "upstream");
  EXPECT_EQ(b["toxicity"], 0.5);
  EXPECT_EQ(b["duration"], 2500);  // chaosrun's extension, in ms
  EXPECT_EQ(s.api.port, 9);
}

TEST(ProxySpecTest, CreateProxyBody) {
  ProxyActionSpec s;
  ASSERT_EQ(ParseProxyAction("create_proxy",
                             {{"name", "web"},
                              {"listen", "127.0.0.1:0"},
                              {"upstream", "127.0.0.1:8080"},
                              {"enabled", false}},
                             &s),
            "");
  EXPECT_EQ(s.ProxyBody(), (json{{"name", "web"},
                                 {"listen", "127.0.0.1:0"},
                                 {"upstream", "127.0.0.1:8080"},
                                 {"enabled", false}}));
}

TEST(ProxySpecTest, Rejects) {
  const json latency = {{"type", "latency"}};
  EXPECT_THAT(Error("add_toxic", {{"toxic", latency}}), HasSubstr("proxy is required"));
  EXPECT_THAT(Error("add_toxic", {{"proxy", "a/b"}, {"toxic", latency}}), HasSubstr("proxy"));
  EXPECT_THAT(Error("add_toxic", {{"proxy", "p"}}), HasSubstr("toxic is required"));
  EXPECT_THAT(Error("add_toxic", {{"proxy", "p"}, {"toxic", json::object()}}),
              HasSubstr("toxic.type is required"));
  EXPECT_THAT(Error("add_toxic", {{"proxy", "p"}, {"toxic", {{"type", "latency"}, {"x", 1}}}}),
              HasSubstr("unknown argument 'x'"));
  EXPECT_THAT(
      Error("add_toxic", {{"proxy", "p"}, {"toxic", {{"type", "latency"}, {"stream", "both"}}}}),
      HasSubstr("stream"));
  EXPECT_THAT(
      Error("add_toxic", {{"proxy", "p"}, {"toxic", {{"type", "latency"}, {"toxicity", 1.5}}}}),
      HasSubstr("toxicity"));
  EXPECT_THAT(
      Error("add_toxic", {{"proxy", "p"}, {"toxic", {{"type", "latency"}, {"attributes", 3}}}}),
      HasSubstr("attributes"));
  EXPECT_THAT(Error("add_toxic", {{"proxy", "p"}, {"toxic", latency}, {"duration", 0}}),
              HasSubstr("duration"));
  EXPECT_THAT(Error("add_toxic", {{"proxy", "p"}, {"toxic", latency}, {"api", "ftp://x"}}),
              HasSubstr("http://"));
  EXPECT_THAT(Error("add_toxic", {{"proxy", "p"}, {"toxic", latency}, {"api", "http://h:0"}}),
              HasSubstr("port"));
  EXPECT_THAT(Error("disable_proxy", {{"proxy", "p"}, {"enabled", true}}),
              HasSubstr("unknown argument 'enabled'"));
  EXPECT_THAT(Error("create_proxy", {{"name", "w"}, {"listen", "nowhere"}, {"upstream", "a:1"}}),
              HasSubstr("listen"));
  EXPECT_THAT(Error("create_proxy", {{"name", "w"}, {"listen", "a:1"}}),
              HasSubstr("upstream is required"));
  EXPECT_THAT(Error("remove_proxy", {{"proxy", "p"}}), HasSubstr("no proxy action"));
}

}  // namespace
}  // namespace chaosrun::drivers::network
