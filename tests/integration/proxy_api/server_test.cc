// The HTTP server of the proxy API in-process, over real loopback sockets: keep-alive,
// pipelining, 100-continue, JSON errors for malformed and oversized requests, timeouts that
// close slow or idle clients without holding up the others, the connection cap, and Stop() with
// clients still connected. Every socket has a receive timeout; nothing asserts on wall time.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "echo_server.h"
#include "http_client.h"
#include "proxy_api/api_server.h"
#include "proxy_api/router.h"

namespace chaosrun::proxy_api {
namespace {

using apitest::HttpConnection;

class ApiServerTest : public ::testing::Test {
 protected:
  void StartServer(ApiServer::Options o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<ApiServer>(engine_, o);
    auto ep = server_->Start();
    ASSERT_TRUE(ep) << ep.error().ToString();
    EXPECT_EQ(ep->host, "127.0.0.1");
    EXPECT_EQ(ep->Url(), "http://127.0.0.1:" + std::to_string(ep->port));
    port_ = ep->port;
  }

  proxy::Engine engine_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
};

TEST_F(ApiServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  HttpConnection c(port_);
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    auto r = c.Request("GET", "/version");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("content-type"), "application/json;charset=utf-8");
    EXPECT_EQ(r->json()["version"], kToxiproxyCompatVersion);
  }
  auto created = c.Request("POST", "/proxies",
                           R"({"name":"k","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"})",
                           {"Content-Type: application/json"});
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  auto del = c.Request("DELETE", "/proxies/k");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 204);
  EXPECT_EQ(del->header("content-length"), "");
  auto after = c.Request("GET", "/proxies");  // the 204 left the connection usable
  ASSERT_TRUE(after);
  EXPECT_EQ(after->json(), Json::object());
}

TEST_F(ApiServerTest, ConnectionCloseAndHttp10CloseAfterTheResponse) {
  StartServer();
  HttpConnection c(port_);
  auto r = c.Request("GET", "/proxies", std::nullopt, {"Connection: close"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.WaitClosed());

  HttpConnection old(port_);
  ASSERT_TRUE(old.SendRaw("GET /version HTTP/1.0\r\n\r\n"));
  auto r10 = old.ReadReply();
  ASSERT_TRUE(r10);
  EXPECT_EQ(r10->status, 200);
  EXPECT_TRUE(old.WaitClosed());
}

TEST_F(ApiServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  HttpConnection c(port_);
  ASSERT_TRUE(
      c.SendRaw("GET /version HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                "POST /reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  auto a = c.ReadReply();
  auto b = c.ReadReply();
  auto d = c.ReadReply();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 404);
  EXPECT_EQ(b->json()["error"], "not found");
  EXPECT_EQ(d->status, 204);
}

TEST_F(ApiServerTest, ExpectContinueGetsA100BeforeTheBody) {
  StartServer();
  HttpConnection c(port_);
  std::string body = R"({"name":"big","listen":"127.0.0.1:0","upstream":"127.0.0.1:1"})";
  ASSERT_TRUE(
      c.SendRaw("POST /proxies HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                "Content-Length: " +
                std::to_string(body.size()) + "\r\n\r\n"));
  auto cont = c.ReadReply();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  ASSERT_TRUE(c.SendRaw(body));
  auto r = c.ReadReply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
}

TEST_F(ApiServerTest, MalformedRequestGetsA400JsonAndIsClosed) {
  StartServer();
  for (const std::string& junk :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /proxies HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("POST /proxies HTTP/1.1\r\nHost: x\r\n"
                    "Content-Length: nope\r\n\r\n")}) {
    HttpConnection c(port_);
    ASSERT_TRUE(c.SendRaw(junk));
    auto r = c.ReadReply();
    ASSERT_TRUE(r) << junk;
    EXPECT_EQ(r->status, 400) << junk;
    EXPECT_EQ(r->header("content-type"), "application/json");
    EXPECT_EQ(r->json()["status"], 400) << r->body;
    EXPECT_EQ(r->json()["error"].get<std::string>().rfind("malformed request: ", 0), 0u);
    EXPECT_TRUE(c.WaitClosed()) << junk;
  }
  auto ok = apitest::Fetch(port_, "GET", "/version");  // the server is fine
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ApiServerTest, OversizedBodyAndHeaderGetJsonErrors) {
  ApiServer::Options o;
  o.max_body_bytes = 1024;
  o.max_header_bytes = 2048;
  StartServer(o);
  HttpConnection c(port_);
  ASSERT_TRUE(c.SendRaw("POST /populate HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                        std::string(2000, '[')));
  auto r = c.ReadReply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->json()["error"], "request body too large (limit 1024 bytes)");
  EXPECT_TRUE(c.WaitClosed());

  HttpConnection h(port_);
  ASSERT_TRUE(h.SendRaw("GET /proxies HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') +
                        "\r\n\r\n"));
  auto rh = h.ReadReply();
  ASSERT_TRUE(rh);
  EXPECT_EQ(rh->status, 431);
  EXPECT_EQ(rh->json()["status"], 431);
}

TEST_F(ApiServerTest, SlowClientIsClosedAndNeverHoldsUpOthers) {
  ApiServer::Options o;
  o.read_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  HttpConnection slow(port_);
  ASSERT_TRUE(slow.SendRaw("GET /proxies HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  HttpConnection dribble(port_);
  ASSERT_TRUE(dribble.SendRaw("POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"));
  // While both are stuck, other clients are served.
  for (int i = 0; i < 5; ++i) {
    auto r = apitest::Fetch(port_, "GET", "/proxies");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  // Both are closed once read_timeout passes (the 10 s receive timeout only bounds the test).
  EXPECT_TRUE(slow.WaitClosed());
  EXPECT_TRUE(dribble.WaitClosed());
}

TEST_F(ApiServerTest, IdleKeepAliveConnectionIsClosed) {
  ApiServer::Options o;
  o.idle_timeout = std::chrono::milliseconds(200);
  StartServer(o);
  HttpConnection c(port_);
  auto r = c.Request("GET", "/version");
  ASSERT_TRUE(r);
  EXPECT_TRUE(c.WaitClosed());
}

TEST_F(ApiServerTest, ConnectionsOverTheCapAreClosed) {
  ApiServer::Options o;
  o.max_connections = 2;
  StartServer(o);
  HttpConnection a(port_);
  HttpConnection b(port_);
  ASSERT_TRUE(a.Request("GET", "/version"));  // both accepted and counted
  ASSERT_TRUE(b.Request("GET", "/version"));
  HttpConnection over(port_);
  EXPECT_TRUE(over.WaitClosed());
  a.SendRaw("GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(a.ReadReply());
  EXPECT_TRUE(a.WaitClosed());
  // A slot is free again once the server has seen the close; ask until it has.
  std::optional<apitest::HttpReply> r;
  for (int i = 0; i < 1000 && !r; ++i) r = apitest::Fetch(port_, "GET", "/version");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ApiServerTest, ApiAnswersWhileTheProxyCarriesHeavyTraffic) {
  StartServer();
  apitest::EchoServer echo;
  Json req = {{"name", "bulk"},
              {"listen", "127.0.0.1:0"},
              {"upstream", "127.0.0.1:" + std::to_string(echo.port())}};
  auto created = apitest::Fetch(port_, "POST", "/proxies", req.dump());
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  int proxy_port = apitest::PortOf(created->json()["listen"].get<std::string>());

  std::string payload(8 << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7919 % 251);
  std::atomic<int> exact{0};
  std::vector<std::thread> flows;
  for (int i = 0; i < 4; ++i) {
    flows.emplace_back([&] {
      if (apitest::StreamThrough(proxy_port, payload) == payload) ++exact;
    });
  }
  // While 32 MiB flow both ways, every API call is answered (and toxics come and go mid-stream).
  HttpConnection c(port_);
  for (int i = 0; i < 40; ++i) {
    auto shown = c.Request("GET", "/proxies/bulk");
    ASSERT_TRUE(shown) << i;
    EXPECT_EQ(shown->status, 200);
    auto added = c.Request("POST", "/proxies/bulk/toxics",
                           R"({"name":"t","type":"latency","attributes":{"latency":1}})");
    ASSERT_TRUE(added) << i;
    EXPECT_EQ(added->status, 200) << added->body;
    auto removed = c.Request("DELETE", "/proxies/bulk/toxics/t");
    ASSERT_TRUE(removed) << i;
    EXPECT_EQ(removed->status, 204);
  }
  for (auto& t : flows) t.join();
  EXPECT_EQ(exact.load(), 4);  // every byte, in order, on every connection
}

TEST_F(ApiServerTest, StopClosesClientsAndTheListener) {
  StartServer();
  HttpConnection idle(port_);
  HttpConnection half(port_);
  ASSERT_TRUE(idle.Request("GET", "/version"));
  ASSERT_TRUE(half.SendRaw("GET /prox"));
  server_->Stop();
  EXPECT_TRUE(idle.WaitClosed());
  EXPECT_TRUE(half.WaitClosed());
  EXPECT_TRUE(apitest::ConnectionRefused(port_));
  server_->Stop();  // idempotent
}

TEST_F(ApiServerTest, StartErrors) {
  StartServer();
  ApiServer::Options busy;
  busy.port = static_cast<uint16_t>(port_);
  ApiServer second(engine_, busy);
  auto r = second.Start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kIoError);
  EXPECT_NE(r.error().message().find(std::to_string(port_)), std::string::npos);

  ApiServer::Options named;
  named.host = "example.com";
  named.port = 0;
  ApiServer third(engine_, named);
  auto n = third.Start();
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code(), Code::kInvalidArgument);

  ApiServer::Options local;
  local.host = "localhost";
  local.port = 0;
  ApiServer fourth(engine_, local);
  auto l = fourth.Start();
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_EQ(l->host, "127.0.0.1");
}

}  // namespace
}  // namespace chaosrun::proxy_api
