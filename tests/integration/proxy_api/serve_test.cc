// `chaosrun proxy serve` as a real child process, driven over a real socket with the exact
// requests Toxiproxy's clients send (toxiproxy-go's client and the Chaos Toolkit toxiproxy
// extension, which uses python-requests), a relay through the proxy it creates to a loopback echo
// server, malformed and slow clients, --config, usage errors, and SIGTERM/SIGINT -> exit 0 with
// every port closed.
#include <gtest/gtest.h>
#include <signal.h>

#include "echo_server.h"
#include "http_client.h"
#include "serve_process.h"
#include "support/temp_dir.h"

namespace chaosrun::apitest {
namespace {

// Headers toxiproxy-go (client/client.go) sets on every request; Go adds Accept-Encoding.
const std::vector<std::string> kGoHeaders = {
    "User-Agent: toxiproxy-cli", "Content-Type: application/json", "Accept-Encoding: gzip"};
// python-requests, as chaostoolkit-toxiproxy sends with requests.post(url, json=...).
const std::vector<std::string> kPythonHeaders = {
    "User-Agent: python-requests/2.31.0", "Accept-Encoding: gzip, deflate", "Accept: */*",
    "Connection: keep-alive", "Content-Type: application/json"};

std::vector<std::string> ServeArgs(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"proxy", "serve", "--api", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(ProxyServe, ToxiproxyClientSessionOverTheWire) {
  EchoServer echo;
  std::string upstream = "127.0.0.1:" + std::to_string(echo.port());
  ServeProcess serve(ServeArgs());
  int api = serve.WaitForApiPort();
  ASSERT_GT(api, 0);
  HttpConnection go(api);  // the Go client keeps its connection alive
  ASSERT_TRUE(go.connected());

  auto version = go.Request("GET", "/version", std::nullopt, kGoHeaders);
  ASSERT_TRUE(version);
  EXPECT_EQ(version->status, 200);
  EXPECT_EQ(version->json()["version"], "2.12.0");

  // client.CreateProxy("redis", "127.0.0.1:0", upstream) -> Proxy.Save()
  auto created = go.Request("POST", "/proxies",
                            R"({"name":"redis","listen":"127.0.0.1:0","upstream":")" + upstream +
                                R"(","enabled":true,"toxics":null})",
                            kGoHeaders);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->header("content-type"), "application/json");
  Json proxy = created->json();
  EXPECT_EQ(proxy["name"], "redis");
  EXPECT_EQ(proxy["upstream"], upstream);
  EXPECT_EQ(proxy["enabled"], true);
  EXPECT_EQ(proxy["toxics"], Json::array());
  int proxy_port = PortOf(proxy["listen"].get<std::string>());
  ASSERT_GT(proxy_port, 0);
  EXPECT_EQ(EchoThrough(proxy_port, "PING\r\n"), "PING\r\n");

  // client.AddToxic: GET the proxy, then POST the toxic.
  auto shown = go.Request("GET", "/proxies/redis", std::nullopt, kGoHeaders);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->status, 200);
  EXPECT_EQ(shown->json(), proxy);
  auto toxic = go.Request(
      "POST", "/proxies/redis/toxics",
      R"({"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1,)"
      R"("attributes":{"jitter":0,"latency":100}})",
      kGoHeaders);
  ASSERT_TRUE(toxic);
  ASSERT_EQ(toxic->status, 200) << toxic->body;
  EXPECT_EQ(toxic->json()["name"], "latency_downstream");
  EXPECT_EQ(toxic->json()["type"], "latency");
  EXPECT_EQ(toxic->json()["stream"], "downstream");
  EXPECT_EQ(toxic->json()["toxicity"], 1);
  EXPECT_EQ(toxic->json()["attributes"]["latency"], 100);
  std::string payload(100000, 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(EchoThrough(proxy_port, payload), payload);  // delayed, every byte in order

  // client.Proxies(), proxy.Toxics()
  auto all = go.Request("GET", "/proxies", std::nullopt, kGoHeaders);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->status, 200);
  ASSERT_EQ(all->json()["redis"]["toxics"].size(), 1u);
  EXPECT_EQ(all->json()["redis"]["toxics"][0]["name"], "latency_downstream");
  auto toxics = go.Request("GET", "/proxies/redis/toxics", std::nullopt, kGoHeaders);
  ASSERT_TRUE(toxics);
  EXPECT_EQ(toxics->json().size(), 1u);

  // proxy.UpdateToxic(name, 0.5, {"latency": 50}) -> PATCH
  auto updated = go.Request("PATCH", "/proxies/redis/toxics/latency_downstream",
                            R"({"attributes":{"latency":50},"toxicity":0.5})", kGoHeaders);
  ASSERT_TRUE(updated);
  ASSERT_EQ(updated->status, 200) << updated->body;
  EXPECT_EQ(updated->json()["attributes"]["latency"], 50);
  EXPECT_DOUBLE_EQ(updated->json()["toxicity"].get<double>(), 0.5);

  // proxy.RemoveToxic, then a second removal is a 404 the client reports.
  auto removed =
      go.Request("DELETE", "/proxies/redis/toxics/latency_downstream", std::nullopt, kGoHeaders);
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 204);
  auto again =
      go.Request("DELETE", "/proxies/redis/toxics/latency_downstream", std::nullopt, kGoHeaders);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404);
  EXPECT_EQ(again->json(), Json({{"error", "toxic not found"}, {"status", 404}}));

  // proxy.Disable() -> Save() posts the whole proxy with enabled false.
  Json disable = proxy;
  disable["enabled"] = false;
  auto disabled = go.Request("POST", "/proxies/redis", disable.dump(), kGoHeaders);
  ASSERT_TRUE(disabled);
  EXPECT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_EQ(disabled->json()["enabled"], false);
  EXPECT_TRUE(ConnectionRefused(proxy_port));

  // client.ResetState(): POST /reset with an empty body -> everything enabled again.
  auto reset = go.Request("POST", "/reset", "", kGoHeaders);
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 204);
  auto after_reset = go.Request("GET", "/proxies/redis", std::nullopt, kGoHeaders);
  ASSERT_TRUE(after_reset);
  EXPECT_EQ(after_reset->json()["enabled"], true);
  int reset_port = PortOf(after_reset->json()["listen"].get<std::string>());
  EXPECT_EQ(EchoThrough(reset_port, "back"), "back");

  // client.Populate([...]): the existing proxy unchanged is kept, a new one is created.
  auto populated = go.Request(
      "POST", "/populate",
      R"([{"name":"redis","listen":")" + after_reset->json()["listen"].get<std::string>() +
          R"(","upstream":")" + upstream +
          R"(","enabled":true,"toxics":null},{"name":"web","listen":"127.0.0.1:0","upstream":")" +
          upstream + R"(","enabled":true,"toxics":null}])",
      kGoHeaders);
  ASSERT_TRUE(populated);
  ASSERT_EQ(populated->status, 201) << populated->body;
  ASSERT_EQ(populated->json()["proxies"].size(), 2u);
  EXPECT_EQ(populated->json()["proxies"][0]["listen"], after_reset->json()["listen"]);
  int web_port = PortOf(populated->json()["proxies"][1]["listen"].get<std::string>());
  EXPECT_EQ(EchoThrough(web_port, "web"), "web");

  // The chaosrun extensions the network driver and Prometheus read.
  auto stats = go.Request("GET", "/proxies/web/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  EXPECT_GE(stats->json()["connections_total"].get<uint64_t>(), 1u);
  auto metrics = go.Request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("web"), std::string::npos);

  // client.Proxy("redis").Delete()
  auto deleted = go.Request("DELETE", "/proxies/redis", std::nullopt, kGoHeaders);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  EXPECT_TRUE(ConnectionRefused(reset_port));

  serve.Signal(SIGTERM);
  Exit e = serve.Wait();
  EXPECT_EQ(e.code, 0) << e.err;
  EXPECT_TRUE(go.WaitClosed());
  EXPECT_TRUE(ConnectionRefused(api));
  EXPECT_TRUE(ConnectionRefused(web_port));
}

TEST(ProxyServe, ChaosToolkitExtensionRequests) {
  EchoServer echo;
  ServeProcess serve(ServeArgs({"--busy-poll", "auto"}));  // the default, spelled out
  int api = serve.WaitForApiPort();
  ASSERT_GT(api, 0);
  HttpConnection py(api);
  // chaostoxi.proxy.actions.create_proxy (listen 127.0.0.1:0 passed explicitly)
  auto created = py.Request("POST", "/proxies",
                            R"({"name": "ctk", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:)" +
                                std::to_string(echo.port()) + R"(", "enabled": true})",
                            kPythonHeaders);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  int port = PortOf(created->json()["listen"].get<std::string>());
  // chaostoxi.toxic.actions.create_latency_toxic
  auto toxic = py.Request("POST", "/proxies/ctk/toxics",
                          R"({"name": "lat", "type": "latency", "stream": "downstream", )"
                          R"("toxicity": 1.0, "attributes": {"latency": 20, "jitter": 0}})",
                          kPythonHeaders);
  ASSERT_TRUE(toxic);
  EXPECT_EQ(toxic->status, 200) << toxic->body;
  EXPECT_EQ(toxic->json()["name"], "lat");
  EXPECT_EQ(EchoThrough(port, "through ctk"), "through ctk");
  // chaostoxi.proxy.probes.proxy_exist / get_proxy_attribute
  auto read = py.Request("GET", "/proxies/ctk", std::nullopt, kPythonHeaders);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->json()["name"], "ctk");
  // disable_proxy -> modify_proxy posts only {"enabled": false}
  auto disabled = py.Request("POST", "/proxies/ctk", R"({"enabled": false})", kPythonHeaders);
  ASSERT_TRUE(disabled);
  EXPECT_EQ(disabled->status, 200);
  EXPECT_EQ(disabled->json()["enabled"], false);
  // delete_toxic, reset (requests.post(url): Content-Length 0), delete_proxy
  auto del_toxic = py.Request("DELETE", "/proxies/ctk/toxics/lat", std::nullopt, kPythonHeaders);
  ASSERT_TRUE(del_toxic);
  EXPECT_EQ(del_toxic->status, 204);
  auto reset = py.Request("POST", "/reset", std::nullopt, kPythonHeaders);
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 204);
  auto del = py.Request("DELETE", "/proxies/ctk", std::nullopt, kPythonHeaders);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 204);
  auto gone = py.Request("GET", "/proxies/ctk", std::nullopt, kPythonHeaders);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(gone->json(), Json({{"error", "proxy not found"}, {"status", 404}}));

  serve.Signal(SIGINT);
  EXPECT_EQ(serve.Wait().code, 0);
}

TEST(ProxyServe, MalformedAndSlowClientsNeverHangTheServer) {
  ServeProcess serve(ServeArgs());
  int api = serve.WaitForApiPort();
  ASSERT_GT(api, 0);
  HttpConnection slow(api);
  ASSERT_TRUE(slow.SendRaw("POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n{"));
  HttpConnection silent(api);
  ASSERT_TRUE(silent.connected());

  HttpConnection junk(api);
  ASSERT_TRUE(junk.SendRaw("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n"));
  auto bad = junk.ReadReply();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->json()["status"], 400);
  EXPECT_TRUE(junk.WaitClosed());

  auto browser = Fetch(api, "POST", "/reset", "", {"User-Agent: Mozilla/5.0"});
  ASSERT_TRUE(browser);
  EXPECT_EQ(browser->status, 403);
  auto bad_json = Fetch(api, "POST", "/proxies", "{\"name\":", kGoHeaders);
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_EQ(bad_json->json()["error"].get<std::string>().rfind("bad request body: ", 0), 0u);
  auto wrong = Fetch(api, "PUT", "/proxies", "{}");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("allow"), "GET, POST");

  // With the slow and silent clients still connected, other clients are served and SIGTERM
  // still stops the server at once.
  auto ok = Fetch(api, "GET", "/proxies");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  serve.Signal(SIGTERM);
  Exit e = serve.Wait();
  EXPECT_EQ(e.code, 0) << e.err;
  EXPECT_TRUE(slow.WaitClosed());
  EXPECT_TRUE(silent.WaitClosed());
}

TEST(ProxyServe, ConfigFileCreatesTheProxies) {
  EchoServer echo;
  testing::TempDir dir;
  std::string config =
      dir.Write("proxies.json",
                R"([{"name": "from_config", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:)" +
                    std::to_string(echo.port()) + R"("}])");
  ServeProcess serve(ServeArgs({"--config", config, "--threads", "2", "--seed", "7", "--max-buffer",
                                "64K", "--busy-poll", "100"}));
  int api = serve.WaitForApiPort();
  ASSERT_GT(api, 0);
  auto p = Fetch(api, "GET", "/proxies/from_config");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->status, 200) << p->body;
  EXPECT_EQ(EchoThrough(PortOf(p->json()["listen"].get<std::string>()), "cfg"), "cfg");
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait().code, 0);
}

TEST(ProxyServe, BadConfigExitsOneNamingTheEntry) {
  testing::TempDir dir;
  std::string config = dir.Write(
      "bad.json",
      R"([{"name": "a", "upstream": "127.0.0.1:1"}, {"name": "b", "listen": "127.0.0.1:0"}])");
  ServeProcess serve(ServeArgs({"--config", config}));
  EXPECT_FALSE(serve.ReadLine());  // end of file: the API never listened
  Exit e = serve.Wait();
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.err.find("missing required field: upstream at proxy 2"), std::string::npos) << e.err;
  EXPECT_NE(e.err.find("bad.json"), std::string::npos) << e.err;

  std::string not_json = dir.Write("nope.json", "{ nope");
  ServeProcess serve2(ServeArgs({"--config", not_json}));
  Exit e2 = serve2.Wait();
  EXPECT_EQ(e2.code, 1);
  EXPECT_NE(e2.err.find("nope.json"), std::string::npos) << e2.err;

  ServeProcess serve3(ServeArgs({"--config", (dir.path() / "missing.json").string()}));
  Exit e3 = serve3.Wait();
  EXPECT_EQ(e3.code, 1);
  EXPECT_NE(e3.err.find("missing.json"), std::string::npos) << e3.err;
}

TEST(ProxyServe, ApiPortInUseExitsOne) {
  ServeProcess first(ServeArgs());
  int api = first.WaitForApiPort();
  ASSERT_GT(api, 0);
  ServeProcess second({"proxy", "serve", "--api", "127.0.0.1:" + std::to_string(api)});
  Exit e = second.Wait();
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.err.find(std::to_string(api)), std::string::npos) << e.err;
  first.Signal(SIGTERM);
  EXPECT_EQ(first.Wait().code, 0);
}

TEST(ProxyServe, UsageErrorsExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"proxy", "serve", "--api", "0.0.0.0:0"}, "--allow-remote"},
           {{"proxy", "serve", "--api", "[::]:0"}, "--allow-remote"},
           {{"proxy", "serve", "--api", "nonsense"}, "--api must be HOST:PORT"},
           {{"proxy", "serve", "--api", "127.0.0.1:70000"}, "--api must be HOST:PORT"},
           {{"proxy", "serve", "--api", "example.com:0", "--allow-remote"}, "IP address"},
           {{"proxy", "serve", "--threads", "0"}, "--threads"},
           {{"proxy", "serve", "--seed", "-1"}, "--seed"},
           {{"proxy", "serve", "--max-buffer", "1K"}, "--max-buffer"},
           {{"proxy", "serve", "--max-buffer", "2G"}, "--max-buffer"},
           {{"proxy", "serve", "--max-buffer", "12X"}, "--max-buffer"},
           {{"proxy", "serve", "--max-buffer", "M"}, "--max-buffer"},
           {{"proxy", "serve", "--busy-poll", "10001"}, "--busy-poll"},
           {{"proxy", "serve", "--busy-poll", "5us"}, "--busy-poll"},
           {{"proxy", "serve", "--busy-poll", "Auto"},
            "--busy-poll must be auto or a whole number"},
           {{"proxy", "frobnicate"}, "proxy serve"},
           {{"proxy"}, "missing argument"},
           {{"run", "x.json", "--api", "127.0.0.1:0"}, "only applies to `chaosrun proxy serve`"},
       }) {
    ServeProcess p(c.args);
    Exit e = p.Wait();
    EXPECT_EQ(e.code, 2) << c.args.back() << ": " << e.err;
    EXPECT_NE(e.err.find(c.message), std::string::npos) << e.err;
  }
  ServeProcess help({"proxy", "--help"});
  auto first = help.ReadLine();
  ASSERT_TRUE(first);
  EXPECT_NE(first->find("chaosrun proxy serve"), std::string::npos);
  EXPECT_EQ(help.Wait().code, 0);
}

}  // namespace
}  // namespace chaosrun::apitest
