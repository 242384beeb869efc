// The proxy routes, /populate, /reset, /version, /metrics, /stats, 405s and unknown paths,
// through Route() on a real engine (no HTTP server): Toxiproxy 2.12's shapes, codes and messages.
#include "router_fixture.h"

namespace chaosrun::proxy_api {
namespace {

TEST_F(RouterTest, ListIsAnEmptyObjectAtFirst) {
  Response r = Call("GET", "/proxies");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(Body(r), Json::object());
}

TEST_F(RouterTest, CreateProxyReturns201WithTheBoundPortAndRelays) {
  Json p = Create("echo");
  EXPECT_EQ(p["name"], "echo");
  EXPECT_EQ(p["upstream"], Upstream());
  EXPECT_EQ(p["enabled"], true);
  EXPECT_EQ(p["toxics"], Json::array());
  int port = PortOf(p["listen"].get<std::string>());
  ASSERT_GT(port, 0) << p.dump();
  EXPECT_EQ(apitest::EchoThrough(port, "hello through the proxy"), "hello through the proxy");

  Response list = Call("GET", "/proxies");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(Body(list)["echo"]["listen"], p["listen"]);
  Response show = Call("GET", "/proxies/echo");
  EXPECT_EQ(show.status, 200);
  EXPECT_EQ(Body(show), p);
}

TEST_F(RouterTest, CreateProxyAcceptsTheGoClientBody) {
  // toxiproxy-go's Proxy.Save(): every field, "toxics": null.
  std::string body = R"({"name":"go","listen":"127.0.0.1:0","upstream":")" + Upstream() +
                     R"(","enabled":true,"toxics":null})";
  Response r = Call("POST", "/proxies", body);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["toxics"], Json::array());
}

TEST_F(RouterTest, CreateDisabledProxyDoesNotListen) {
  Json req = {
      {"name", "down"}, {"listen", "127.0.0.1:0"}, {"upstream", Upstream()}, {"enabled", false}};
  Response r = Call("POST", "/proxies", req.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["enabled"], false);
}

TEST_F(RouterTest, CreateProxyErrors) {
  Create("taken");
  Json dup = {{"name", "taken"}, {"listen", "127.0.0.1:0"}, {"upstream", Upstream()}};
  ExpectError(Call("POST", "/proxies", dup.dump()), 409, "proxy already exists");
  ExpectError(Call("POST", "/proxies", R"({"upstream":"127.0.0.1:1"})"), 400,
              "missing required field: name");
  ExpectError(Call("POST", "/proxies", R"({"name":"x"})"), 400, "missing required field: upstream");
  ExpectError(Call("POST", "/proxies", R"({"name":"","upstream":"127.0.0.1:1"})"), 400,
              "missing required field: name");
  ExpectError(Call("POST", "/proxies", ""), 400, "bad request body: EOF");
  ExpectErrorPrefix(Call("POST", "/proxies", "{\"name\": "), 400, "bad request body: ");
  ExpectError(Call("POST", "/proxies", "[1]"), 400, "bad request body: expected a JSON object");
  ExpectError(Call("POST", "/proxies", R"({"name":7,"upstream":"127.0.0.1:1"})"), 400,
              "bad request body: name must be a string");
  ExpectError(Call("POST", "/proxies", R"({"name":"x","upstream":"127.0.0.1:1","enabled":"y"})"),
              400, "bad request body: enabled must be a boolean");
  // Nothing was created by the failures.
  EXPECT_EQ(Body(Call("GET", "/proxies")).size(), 1u);
}

TEST_F(RouterTest, CreateProxyOnABusyPortIs500WithTheReason) {
  Json p = Create("first");
  Json req = {{"name", "second"}, {"listen", p["listen"]}, {"upstream", Upstream()}};
  Response r = Call("POST", "/proxies", req.dump());
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_FALSE(Body(r).value("error", "").empty());
  EXPECT_EQ(Call("GET", "/proxies/second").status, 404);
}

TEST_F(RouterTest, ShowAndDeleteUnknownProxyAre404) {
  ExpectError(Call("GET", "/proxies/nope"), 404, "proxy not found");
  ExpectError(Call("DELETE", "/proxies/nope"), 404, "proxy not found");
  ExpectError(Call("POST", "/proxies/nope", R"({"enabled":false})"), 404, "proxy not found");
  ExpectError(Call("PATCH", "/proxies/nope", "not even json"), 404, "proxy not found");
  ExpectError(Call("GET", "/proxies/nope/toxics"), 404, "proxy not found");
  ExpectError(Call("POST", "/proxies/nope/toxics", R"({"type":"latency"})"), 404,
              "proxy not found");
  ExpectError(Call("GET", "/proxies/nope/toxics/t"), 404, "proxy not found");
  ExpectError(Call("PATCH", "/proxies/nope/toxics/t", "{}"), 404, "proxy not found");
  ExpectError(Call("DELETE", "/proxies/nope/toxics/t"), 404, "proxy not found");
  ExpectError(Call("GET", "/proxies/nope/stats"), 404, "proxy not found");
}

TEST_F(RouterTest, UpdateProxyWithPostAndPatch) {
  Json p = Create("svc");
  int port = PortOf(p["listen"].get<std::string>());
  Response off = Call("POST", "/proxies/svc", R"({"enabled":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(Body(off)["enabled"], false);
  EXPECT_TRUE(apitest::ConnectionRefused(port));
  Response on = Call("PATCH", "/proxies/svc", R"({"enabled":true})");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(Body(on)["enabled"], true);
  int new_port = PortOf(Body(on)["listen"].get<std::string>());
  EXPECT_EQ(apitest::EchoThrough(new_port, "back"), "back");
  // Name and toxics in the body are ignored; a bad field type is a 400.
  Response same = Call("PATCH", "/proxies/svc", R"({"name":"other","toxics":[]})");
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(Body(same)["name"], "svc");
  ExpectError(Call("PATCH", "/proxies/svc", ""), 400, "bad request body: EOF");
  ExpectError(Call("PATCH", "/proxies/svc", R"({"upstream":5})"), 400,
              "bad request body: upstream must be a string");
}

TEST_F(RouterTest, DeleteProxyIs204ThenGone) {
  Json p = Create("gone");
  Response r = Call("DELETE", "/proxies/gone");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(r.content_type.empty());
  EXPECT_TRUE(apitest::ConnectionRefused(PortOf(p["listen"].get<std::string>())));
  ExpectError(Call("DELETE", "/proxies/gone"), 404, "proxy not found");
}

TEST_F(RouterTest, ResetEnablesEveryProxyAndRemovesEveryToxic) {
  Create("a");
  Create("b");
  AddLatency("a", 10);
  AddLatency("b", 10);
  ASSERT_EQ(Call("POST", "/proxies/b", R"({"enabled":false})").status, 200);
  Response r = Call("POST", "/reset");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  Json all = Body(Call("GET", "/proxies"));
  for (const char* name : {"a", "b"}) {
    EXPECT_EQ(all[name]["enabled"], true) << name;
    EXPECT_EQ(all[name]["toxics"], Json::array()) << name;
  }
  int port = PortOf(all["b"]["listen"].get<std::string>());
  EXPECT_EQ(apitest::EchoThrough(port, "up again"), "up again");
}

TEST_F(RouterTest, VersionMetricsAndStats) {
  Response v = Call("GET", "/version");
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.content_type, "application/json;charset=utf-8");
  EXPECT_EQ(Body(v)["version"], kToxiproxyCompatVersion);
  EXPECT_TRUE(Body(v)["chaosrun"].is_string());

  Json p = Create("counted");
  ASSERT_EQ(apitest::EchoThrough(PortOf(p["listen"].get<std::string>()), "12345"), "12345");
  Response s = Call("GET", "/proxies/counted/stats");
  ASSERT_EQ(s.status, 200) << s.body;
  Json stats = Body(s);
  EXPECT_EQ(stats["name"], "counted");
  EXPECT_GE(stats["connections_total"].get<uint64_t>(), 1u);
  for (const char* k : {"connections_active", "connections_refused", "bytes_upstream",
                        "bytes_downstream", "toxics_active"}) {
    EXPECT_TRUE(stats[k].is_number_unsigned()) << k << " in " << s.body;
  }

  Response m = Call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(m.body.find("chaosrun_proxy_"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("counted"), std::string::npos) << m.body;
}

TEST_F(RouterTest, Populate) {
  Json a = Create("keep");
  AddLatency("keep", 10);
  Json body = Json::array({
      {{"name", "keep"}, {"listen", a["listen"]}, {"upstream", Upstream()}},  // unchanged: kept
      {{"name", "fresh"}, {"listen", "127.0.0.1:0"}, {"upstream", Upstream()}},
      {{"name", "idle"}, {"listen", "127.0.0.1:0"}, {"upstream", Upstream()}, {"enabled", false}},
  });
  Response r = Call("POST", "/populate", body.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  Json out = Body(r);
  ASSERT_EQ(out.size(), 1u) << r.body;  // only "proxies" on success
  ASSERT_EQ(out["proxies"].size(), 3u);
  EXPECT_EQ(out["proxies"][0]["name"], "keep");
  EXPECT_EQ(out["proxies"][0]["toxics"].size(), 1u);  // kept as it was, toxic included
  EXPECT_EQ(out["proxies"][1]["name"], "fresh");
  EXPECT_EQ(out["proxies"][2]["enabled"], false);

  // A changed upstream replaces the proxy (its toxics go with the old one).
  Json changed =
      Json::array({{{"name", "keep"}, {"listen", a["listen"]}, {"upstream", "127.0.0.1:1"}}});
  Response r2 = Call("POST", "/populate", changed.dump());
  ASSERT_EQ(r2.status, 201) << r2.body;
  EXPECT_EQ(Body(r2)["proxies"][0]["toxics"], Json::array());
  EXPECT_EQ(Body(Call("GET", "/proxies/keep"))["toxics"], Json::array());
  EXPECT_EQ(Body(Call("POST", "/populate", "[]")), Json({{"proxies", Json::array()}}));
}

TEST_F(RouterTest, PopulateErrors) {
  Json missing = Json::array({{{"name", "ok"}, {"upstream", Upstream()}},
                              {{"listen", "127.0.0.1:0"}, {"upstream", Upstream()}}});
  Response r = Call("POST", "/populate", missing.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"], "missing required field: name at proxy 2");
  EXPECT_EQ(Body(r)["status"], 400);
  EXPECT_EQ(Body(r)["proxies"], Json::array());
  EXPECT_EQ(Body(Call("GET", "/proxies")), Json::object());  // checked before anything is made

  Json no_upstream = Json::array({{{"name", "x"}}});
  EXPECT_EQ(Body(Call("POST", "/populate", no_upstream.dump()))["error"],
            "missing required field: upstream at proxy 1");
  EXPECT_EQ(Call("POST", "/populate", R"({"name":"x"})").status, 400);
  EXPECT_EQ(Body(Call("POST", "/populate", ""))["error"], "bad request body: EOF");
  EXPECT_EQ(Body(Call("POST", "/populate", R"([{"name":"x","upstream":1}])"))["error"],
            "bad request body: proxy 1: upstream must be a string");

  // An engine failure (a busy port) stops the list; the proxies before it stay.
  Json busy = Create("busy");
  Json conflict =
      Json::array({{{"name", "first"}, {"upstream", Upstream()}},
                   {{"name", "second"}, {"listen", busy["listen"]}, {"upstream", Upstream()}}});
  Response c = Call("POST", "/populate", conflict.dump());
  EXPECT_EQ(c.status, 500) << c.body;
  EXPECT_EQ(Body(c)["error"].get<std::string>().rfind("proxy 2 (second): ", 0), 0u) << c.body;
  ASSERT_EQ(Body(c)["proxies"].size(), 1u);
  EXPECT_EQ(Body(c)["proxies"][0]["name"], "first");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Create("p");
  struct Case {
    const char* method;
    const char* target;
    const char* allow;
  };
  for (const Case& c :
       {Case{"PUT", "/proxies", "GET, POST"}, Case{"DELETE", "/proxies", "GET, POST"},
        Case{"GET", "/populate", "POST"}, Case{"GET", "/reset", "POST"},
        Case{"POST", "/version", "GET"}, Case{"DELETE", "/metrics", "GET"},
        Case{"PUT", "/proxies/p", "GET, POST, PATCH, DELETE"},
        Case{"DELETE", "/proxies/p/toxics", "GET, POST"},
        Case{"PUT", "/proxies/p/toxics/t", "GET, POST, PATCH, DELETE"},
        Case{"POST", "/proxies/p/stats", "GET"}, Case{"get", "/proxies", "GET, POST"}}) {
    Response r = Call(c.method, c.target);
    ExpectError(r, 405, "method not allowed");
    EXPECT_EQ(r.allow, c.allow) << c.method << " " << c.target;
  }
}

TEST_F(RouterTest, UnknownPathsAre404AndBrowsersAre403) {
  for (const char* target : {"/", "/nope", "/proxies/", "/proxies/p/toxics/", "/proxies/p/other",
                             "/proxies/p/toxics/t/x", "/version/x"}) {
    ExpectError(Call("GET", target), 404, "not found");
  }
  ExpectError(Call("GET", "/proxies/%zz"), 400, "malformed request target");
  ExpectError(Call("GET", "proxies"), 400, "malformed request target");
  ExpectError(Call("GET", "/proxies", "", "Mozilla/5.0 (X11; Linux x86_64)"), 403,
              "User agent not allowed");
  EXPECT_EQ(Call("GET", "/proxies?verbose=1").status, 200);  // the query is ignored
}

TEST_F(RouterTest, NamesArePercentDecoded) {
  Json req = {{"name", "my proxy"}, {"listen", "127.0.0.1:0"}, {"upstream", Upstream()}};
  ASSERT_EQ(Call("POST", "/proxies", req.dump()).status, 201);
  Response r = Call("GET", "/proxies/my%20proxy");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["name"], "my proxy");
}

}  // namespace
}  // namespace chaosrun::proxy_api
