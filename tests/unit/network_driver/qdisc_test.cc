// Parsing `tc -j qdisc show` and deciding how (and whether) the root qdisc can be restored.
#include "network/qdisc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosrun::drivers::network {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<Qdisc> Parse(const std::string& text) {
  std::vector<Qdisc> q;
  std::string error;
  EXPECT_TRUE(ParseQdiscs(text, &q, &error)) << error;
  return q;
}

// What tc printed on this machine (iproute2 6.1) for a fresh veth, and after the actions.
constexpr const char* kNoqueue =
    R"([{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{}}])";
constexpr const char* kTbf =
    R"([{"kind":"tbf","handle":"8001:","root":true,"refcnt":3,"options":{"rate":125000,"burst":32768,"lat":50000}}])";
constexpr const char* kMq =
    R"([{"kind":"mq","handle":"0:","root":true,"options":{}},
        {"kind":"pfifo_fast","handle":"0:","parent":":1","options":{"bands":3,"priomap":[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1],"multiqueue":false}},
        {"kind":"ingress","handle":"ffff:","parent":"ffff:fff1","options":{}}])";
constexpr const char* kHtb =
    R"([{"kind":"htb","handle":"1:","root":true,"options":{"r2q":10,"default":"0x1","direct_packets_stat":0}}])";
constexpr const char* kPfifoFast =
    R"([{"kind":"pfifo_fast","handle":"8003:","root":true,"refcnt":3,"options":{"bands":3,"priomap":[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1],"multiqueue":false}}])";

TEST(QdiscTest, ParsesRootAndIgnoresIngress) {
  std::vector<Qdisc> q = Parse(kMq);
  ASSERT_EQ(q.size(), 3u);
  const Qdisc* root = RootOf(q);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->kind, "mq");
  EXPECT_EQ(q[1].parent, ":1");
  EXPECT_EQ(RootOf(Parse("[]")), nullptr);
}

TEST(QdiscTest, RejectsGarbage) {
  std::vector<Qdisc> q;
  std::string error;
  EXPECT_FALSE(ParseQdiscs("Cannot find device", &q, &error));
  EXPECT_FALSE(ParseQdiscs(R"([{"handle":"0:"}])", &q, &error));
  // Found by fuzz_network_driver: a "root" that is not a boolean threw instead of an error.
  EXPECT_FALSE(ParseQdiscs(R"([{"kind":"tbf","handle":"8001:","root":125000}])", &q, &error));
  EXPECT_NE(error.find("unexpected qdisc entry"), std::string::npos) << error;
  EXPECT_THAT(error, HasSubstr("unexpected"));
}

TEST(QdiscTest, DefaultRootsAreRestoredByDeletingOurs) {
  std::string why;
  json plan = RestorePlan(Parse(kNoqueue), &why);
  EXPECT_EQ(plan["default"], true) << why;
  plan = RestorePlan(Parse(kMq), &why);
  EXPECT_EQ(plan["default"], true) << why;
  EXPECT_EQ(plan["kind"], "mq");
}

TEST(QdiscTest, SimpleNonDefaultRootsAreRebuiltExactly) {
  std::string why;
  json plan = RestorePlan(Parse(kTbf), &why);
  ASSERT_FALSE(plan.is_null()) << why;
  EXPECT_EQ(plan["default"], false);
  EXPECT_EQ(plan["handle"], "8001:");
  EXPECT_EQ(plan["args"],
            json::array({"tbf", "rate", "1000000bit", "burst", "32768", "latency", "50000us"}));
  plan = RestorePlan(Parse(kPfifoFast), &why);
  EXPECT_EQ(plan["args"], json::array({"pfifo_fast"})) << why;
  plan = RestorePlan(
      Parse(R"([{"kind":"bfifo","handle":"5:","root":true,"options":{"limit":30000}}])"), &why);
  EXPECT_EQ(plan["args"], json::array({"bfifo", "limit", "30000"})) << why;
}

TEST(QdiscTest, RefusesWhatCannotBeRestoredExactly) {
  std::string why;
  EXPECT_TRUE(RestorePlan(Parse(kHtb), &why).is_null());
  EXPECT_THAT(why, HasSubstr("htb 1:"));
  EXPECT_THAT(why, HasSubstr("cannot be re-created exactly"));
  // A tuned child under a default root: deleting the root would lose it.
  EXPECT_TRUE(RestorePlan(Parse(R"([{"kind":"mq","handle":"0:","root":true,"options":{}},
      {"kind":"fq","handle":"8010:","parent":":1","options":{}}])"),
                          &why)
                  .is_null());
  EXPECT_THAT(why, HasSubstr("child"));
  // A tbf with a peak rate is not rebuilt from rate/burst/latency alone.
  EXPECT_TRUE(RestorePlan(Parse(R"([{"kind":"tbf","handle":"2:","root":true,
      "options":{"rate":125000,"burst":32768,"lat":50000,"peakrate":250000,"mtu":2000}}])"),
                          &why)
                  .is_null());
  EXPECT_TRUE(
      RestorePlan(Parse(R"([{"kind":"pfifo","handle":"3:","parent":"1:1","options":{}}])"), &why)
          .is_null());
  EXPECT_THAT(why, HasSubstr("no root"));
}

TEST(QdiscTest, ADownInterfaceWithoutQdiscsIsRestoredByDeletingOurs) {
  std::string why;
  json plan = RestorePlan(Parse("[]"), &why);
  EXPECT_EQ(plan, (json{{"default", true}, {"kind", "none"}, {"handle", "0:"}})) << why;
  plan = RestorePlan(Parse(R"([{"kind":"ingress","handle":"ffff:","parent":"ffff:fff1"}])"), &why);
  EXPECT_EQ(plan["default"], true) << why;
}

TEST(QdiscTest, FreeHandleSkipsUsedOnes) {
  EXPECT_EQ(FreeHandle(Parse(kNoqueue)), "c4a0:");
  EXPECT_EQ(FreeHandle(Parse(R"([{"kind":"tbf","handle":"c4a0:","root":true,"options":{}},
      {"kind":"pfifo","handle":"c4a1:","parent":"c4a0:1","options":{}}])")),
            "c4a2:");
}

}  // namespace
}  // namespace chaosrun::drivers::network
