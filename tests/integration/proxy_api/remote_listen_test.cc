// Proxies made through the API listen on loopback only, unless the server allows remote
// listeners (`proxy serve --allow-remote`): create, update and populate, IPv4 and IPv6.
#include <gtest/gtest.h>

#include "http_client.h"
#include "router_fixture.h"
#include "serve_process.h"

namespace chaosrun::proxy_api {
namespace {

class RemoteListenTest : public RouterTest {
 protected:
  Response As(bool allow_remote, const std::string& method, const std::string& target,
              const Json& body) {
    return Route(engine_, Request{method, target, body.dump(), "toxiproxy-cli"},
                 RouteOptions{allow_remote});
  }
};

TEST_F(RemoteListenTest, EveryInterfaceIsRefusedWithAClearMessage) {
  for (const char* listen : {"0.0.0.0:0", "[::]:0", ":0", "192.0.2.1:0", "example.com:0"}) {
    Json req = {{"name", "p"}, {"listen", listen}, {"upstream", Upstream()}};
    Response r = As(false, "POST", "/proxies", req);
    EXPECT_EQ(r.status, 400) << listen << " " << r.body;
    std::string error = Body(r).value("error", "");
    EXPECT_NE(error.find("not a loopback address"), std::string::npos) << error;
    EXPECT_NE(error.find("--allow-remote"), std::string::npos) << error;
  }
  EXPECT_EQ(Call("GET", "/proxies/p").status, 404);  // nothing was created
}

TEST_F(RemoteListenTest, LoopbackIsAllowedAndRemoteOnlyWithAllowRemote) {
  for (const char* listen : {"127.0.0.1:0", "[::1]:0", "localhost:0"}) {
    Json req = {{"name", std::string("l") + listen}, {"listen", listen}, {"upstream", Upstream()}};
    EXPECT_EQ(As(false, "POST", "/proxies", req).status, 201) << listen;
  }
  Json any4 = {{"name", "any4"}, {"listen", "0.0.0.0:0"}, {"upstream", Upstream()}};
  EXPECT_EQ(As(true, "POST", "/proxies", any4).status, 201);
  Json any6 = {{"name", "any6"}, {"listen", "[::]:0"}, {"upstream", Upstream()}};
  EXPECT_EQ(As(true, "POST", "/proxies", any6).status, 201);
}

TEST_F(RemoteListenTest, UpdateAndPopulateAreCheckedToo) {
  Create("web");
  EXPECT_EQ(As(false, "POST", "/proxies/web", Json{{"listen", "0.0.0.0:0"}}).status, 400);
  EXPECT_EQ(As(false, "PATCH", "/proxies/web", Json{{"listen", "[::]:0"}}).status, 400);
  EXPECT_EQ(Body(Call("GET", "/proxies/web")).value("listen", "").rfind("127.0.0.1:", 0), 0u);
  Json pop = Json::array({{{"name", "a"}, {"listen", "127.0.0.1:0"}, {"upstream", Upstream()}},
                          {{"name", "b"}, {"listen", "[::]:0"}, {"upstream", Upstream()}}});
  EXPECT_EQ(As(false, "POST", "/populate", pop).status, 400);
  EXPECT_EQ(Call("GET", "/proxies/a").status, 404);
  EXPECT_EQ(As(true, "POST", "/populate", pop).status, 201);
}

// Over the wire: `proxy serve` refuses by default and allows with --allow-remote.
TEST(RemoteListenServe, AllowRemoteFlagReachesTheApi) {
  apitest::EchoServer echo;
  Json req = {{"name", "r"},
              {"listen", "0.0.0.0:0"},
              {"upstream", "127.0.0.1:" + std::to_string(echo.port())}};
  for (bool allow : {false, true}) {
    std::vector<std::string> args = {"proxy", "serve", "--api", "127.0.0.1:0"};
    if (allow) args.push_back("--allow-remote");
    apitest::ServeProcess serve(args);
    int api = serve.WaitForApiPort();
    ASSERT_GT(api, 0);
    apitest::HttpConnection c(api);
    auto r = c.Request("POST", "/proxies", req.dump(), {"Content-Type: application/json"});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, allow ? 201 : 400) << r->body;
  }
}

}  // namespace
}  // namespace chaosrun::proxy_api
