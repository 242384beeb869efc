// The fault proxy's Toxiproxy-compatible API under /toxiproxy/: the prefix is stripped and the
// request handed to proxy_api::Route over the daemon's real proxy::Engine; status, body and
// Allow come back unchanged.
#include <gtest/gtest.h>

#include "api_fixture.h"
#include "support/http_server.h"

namespace chaosrun::apitest {
namespace {

using ToxiproxyTest = ApiTest;

TEST_F(ToxiproxyTest, CreateListToxicDelete) {
  int upstream = chaosrun::testing::ClosedLoopbackPort();
  Json spec = {{"name", "redis"},
               {"listen", "127.0.0.1:0"},
               {"upstream", "127.0.0.1:" + std::to_string(upstream)}};
  RawReply r = Call("POST", "/toxiproxy/proxies", spec.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.JsonBody()["name"], "redis");
  // The engine itself holds it.
  ASSERT_TRUE(control_.ProxyEngine().GetProxy("redis").has_value());

  r = Call("GET", "/toxiproxy/proxies");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.JsonBody().contains("redis")) << r.body;

  Json toxic = {{"type", "latency"}, {"attributes", {{"latency", 100}}}};
  r = Call("POST", "/toxiproxy/proxies/redis/toxics", toxic.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  auto toxics = control_.ProxyEngine().ListToxics("redis");
  ASSERT_TRUE(toxics.has_value());
  EXPECT_EQ(toxics->size(), 1u);

  r = Call("DELETE", "/toxiproxy/proxies/redis");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(control_.ProxyEngine().GetProxy("redis").has_value());
}

TEST_F(ToxiproxyTest, ErrorsAndAllowPassThrough) {
  RawReply r = Call("GET", "/toxiproxy/proxies/none");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.JsonBody()["error"], "proxy not found");
  r = Call("PUT", "/toxiproxy/proxies");
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(r.Header("allow"), "GET, POST");
  r = Call("GET", "/toxiproxy/version");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ToxiproxyTest, RemoteListenersStayRefused) {
  Json spec = {{"name", "wide"}, {"listen", "0.0.0.0:0"}, {"upstream", "127.0.0.1:9"}};
  RawReply r = Call("POST", "/toxiproxy/proxies", spec.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_FALSE(control_.ProxyEngine().GetProxy("wide").has_value());
}

TEST_F(ToxiproxyTest, ThePrefixIsASegment) {
  EXPECT_EQ(Call("GET", "/toxiproxyproxies").status, 404);
  RawReply r = Call("GET", "/toxiproxy/proxies?x=1");
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace chaosrun::apitest
