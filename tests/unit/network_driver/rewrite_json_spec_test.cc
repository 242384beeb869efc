// network.rewrite_json's argument checks and the json_rewrite toxic body they become.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "network/proxy_spec.h"

namespace chaosrun::drivers::network {
namespace rewrite_json_spec_test {

using nlohmann::json;
using ::testing::HasSubstr;

const json kOps = json::array({{{"op", "rename"}, {"field", "age"}, {"to", "age_years"}}});

std::string Error(const json& args) {
  ProxyActionSpec spec;
  return ParseProxyAction("rewrite_json", args, &spec);
}

TEST(RewriteJsonSpecTest, DefaultsAndBody) {
  ProxyActionSpec s;
  ASSERT_EQ(ParseProxyAction("rewrite_json", {{"proxy", "datasource"}, {"operations", kOps}}, &s),
            "");
  EXPECT_TRUE(IsProxyAction("rewrite_json"));
  EXPECT_EQ(s.api.ToString(), "http://127.0.0.1:8474");
  EXPECT_EQ(s.toxic.Body(), (json{{"name", "json_rewrite_downstream"},
                                  {"type", "json_rewrite"},
                                  {"stream", "downstream"},
                                  {"toxicity", 1.0},
                                  {"attributes", {{"operations", kOps}}}}));
}

TEST(RewriteJsonSpecTest, EveryArgument) {
  ProxyActionSpec s;
  ASSERT_EQ(ParseProxyAction("rewrite_json",
                             {{"api", "http://127.0.0.1:9/"},
                              {"api_token_file", "/tmp/t"},
                              {"proxy", "feedback"},
                              {"operations", kOps},
                              {"records", "/data"},
                              {"max_body_bytes", 4096},
                              {"stream", "upstream"},
                              {"toxic_name", "drift"},
                              {"toxicity", 0.25}},
                             &s),
            "");
  EXPECT_EQ(s.api.HostPort(), "127.0.0.1:9");
  EXPECT_EQ(s.api_token_file, "/tmp/t");
  EXPECT_EQ(s.toxic.Body(),
            (json{{"name", "drift"},
                  {"type", "json_rewrite"},
                  {"stream", "upstream"},
                  {"toxicity", 0.25},
                  {"attributes",
                   {{"operations", kOps}, {"records", "/data"}, {"max_body_bytes", 4096}}}}));
}

TEST(RewriteJsonSpecTest, RefusalsNameTheMember) {
  EXPECT_THAT(Error({{"operations", kOps}}), HasSubstr("proxy is required"));
  EXPECT_THAT(Error({{"proxy", "p"}}), HasSubstr("operations is required"));
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", json::array()}}),
              HasSubstr("/operations must be an array of 1 to 64 operations"));
  EXPECT_EQ(Error({{"proxy", "p"}, {"operations", json::array({{{"op", "drop"}}})}}),
            "/operations/0/field is required for drop");
  EXPECT_EQ(
      Error({{"proxy", "p"},
             {"operations", json::array({{{"op", "scale"}, {"field", "a"}, {"factor", "x"}}})}}),
      "/operations/0/factor must be a finite number");
  EXPECT_EQ(Error({{"proxy", "p"},
                   {"operations", json::array({{{"op", "drop"}, {"field", "a"}, {"to", "b"}}})}}),
            "/operations/0/to is not a member of a drop operation");
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", kOps}, {"records", "data"}}),
              HasSubstr("records must be a JSON pointer"));
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", kOps}, {"max_body_bytes", 1.5}}),
              HasSubstr("max_body_bytes must be an integer"));
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", kOps}, {"stream", "both"}}),
              HasSubstr("stream must be"));
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", kOps}, {"toxicity", 2}}),
              HasSubstr("toxicity must be a number from 0 to 1"));
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", kOps}, {"toxic_name", "a/b"}}),
              HasSubstr("toxic_name may hold only"));
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", kOps}, {"proxy_api", "http://x:1"}}),
              HasSubstr("proxy_api"));
  EXPECT_THAT(Error({{"proxy", "p"}, {"operations", kOps}, {"api", "ftp://x"}}), HasSubstr("api"));
}

}  // namespace rewrite_json_spec_test
}  // namespace chaosrun::drivers::network
