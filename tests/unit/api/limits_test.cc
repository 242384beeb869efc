// What the server bounds and refuses on its own: body size, content type, malformed and deep
// JSON, header and target sizes, slow clients, the listen address and the options.
#include <gtest/gtest.h>

#include <thread>

#include "api_fixture.h"

namespace chaosrun::apitest {
namespace {

using LimitsTest = ApiTest;

TEST_F(LimitsTest, ABodyOverTheLimitIs413) {
  api::ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  std::string body =
      R"({"experiment": "latency-drill", "vars": {"pad": ")" + std::string(1100, 'x') + "\"}}";
  ExpectError(Call("POST", "/v1/runs", body), 413, "larger than the limit");
  // Just under the limit goes through.
  std::string small =
      R"({"experiment": "latency-drill", "vars": {"pad": ")" + std::string(900, 'x') + "\"}}";
  EXPECT_EQ(Call("POST", "/v1/runs", small).status, 201);
  ASSERT_EQ(control_.Calls().size(), 1u);
}

TEST_F(LimitsTest, MalformedJsonIs400NamingTheProblem) {
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": )"), 400,
              "malformed JSON body: parse error");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "a",})"), 400, "line 1");
  ExpectError(Call("PATCH", "/v1/schedules/nightly", "paused=true"), 400, "malformed JSON body");
  std::string deep(100, '[');
  ExpectError(Call("POST", "/v1/halt", deep), 400, "nested deeper than");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(LimitsTest, OnlyJsonContentTypeIsAccepted) {
  const char* body = R"({"experiment": "latency-drill"})";
  ExpectError(Call("POST", "/v1/runs", body, {"Content-Type: text/plain"}), 415,
              "Content-Type must be application/json, not 'text/plain'");
  ExpectError(Call("POST", "/v1/runs", body, {"Content-Type: application/x-www-form-urlencoded"}),
              415);
  ExpectError(Call("POST", "/v1/runs", body, {"Content-Type: application/jsonx"}), 415);
  // No Content-Type at all.
  RawReply r = Exchange(port_, BuildRequest("POST", "/v1/runs", {BearerHeader()}, body));
  ExpectError(r, 415, "not absent");
  EXPECT_TRUE(control_.Calls().empty());
  EXPECT_EQ(Call("POST", "/v1/runs", body, {"Content-Type: application/json;charset=UTF-8"}).status,
            201);
}

TEST_F(LimitsTest, OversizedHeadersAndTargetsAreRefused) {
  RawReply r = Call("GET", "/v1/experiments", "", {"X-Pad: " + std::string(10000, 'a')});
  EXPECT_EQ(r.status, 400) << r.body;
  r = Call("GET", "/v1/runs/" + std::string(9000, 'a'));
  EXPECT_EQ(r.status, 414) << r.body;
  ExpectError(r, 414);
  // A run id over the name limit, but a short target: 400 from the name rule.
  ExpectError(Call("GET", "/v1/runs/" + std::string(129, 'a')), 400, "longer than 128");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(LimitsTest, ASlowClientDoesNotBlockOthers) {
  // Two clients that send half a request and then nothing: each holds a pool thread until the
  // read timeout; everyone else is still served meanwhile.
  RawConnection slow1(port_), slow2(port_);
  ASSERT_TRUE(slow1.Send("GET /v1/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  ASSERT_TRUE(slow2.Send("POST /v1/halt HTTP/1.1\r\n"));
  for (int i = 0; i < 5; ++i) {
    RawReply r = Call("GET", "/v1/schedules");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // The slow client was held, not dropped: finishing its request gets it served.
  ASSERT_TRUE(slow1.Send(BearerHeader() + "\r\n\r\n"));
  EXPECT_EQ(slow1.ReadReply().status, 200);
}

TEST_F(LimitsTest, OneRequestPerConnection) {
  RawReply r = Call("GET", "/v1/experiments");
  EXPECT_EQ(r.Header("connection"), "close");
}

TEST(ServerOptionsTest, NonLoopbackNeedsAllowRemote) {
  RecordingControl control;
  for (const char* host : {"0.0.0.0", "::", "192.0.2.10", "example.com"}) {
    SCOPED_TRACE(host);
    api::ServerOptions o;
    o.host = host;
    o.port = 0;
    o.token = kToken;
    api::Server server(control, o);
    auto started = server.Start();
    ASSERT_FALSE(started.has_value());
    EXPECT_EQ(started.error().code(), Code::kInvalidArgument);
    EXPECT_NE(started.error().message().find("not loopback"), std::string::npos);
  }
}

TEST(ServerOptionsTest, LoopbackNamesAndIpv6) {
  RecordingControl control;
  for (const char* host : {"localhost", "127.0.0.1", "::1", "[::1]"}) {
    SCOPED_TRACE(host);
    api::ServerOptions o;
    o.host = host;
    o.port = 0;
    o.token = kToken;
    api::Server server(control, o);
    auto started = server.Start();
    if (!started && std::string(host).find(':') != std::string::npos) {
      GTEST_SKIP() << "no IPv6 loopback here: " << started.error().ToString();
    }
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    EXPECT_NE(started->port, 0);
    if (started->host == "::1") {
      EXPECT_EQ(started->Url(), "http://[::1]:" + std::to_string(started->port));
    } else {
      EXPECT_EQ(started->Url(), "http://127.0.0.1:" + std::to_string(started->port));
    }
    server.Stop();
  }
}

TEST(ServerOptionsTest, RefusesShortTokensAndBadThreads) {
  RecordingControl control;
  api::ServerOptions o;
  o.port = 0;
  o.token = "short";
  auto started = api::Server(control, o).Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message().find("token"), std::string::npos);
  o.token = kToken;
  o.threads = 0;
  started = api::Server(control, o).Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message().find("threads"), std::string::npos);
}

TEST(ServerOptionsTest, PortInUseIsAnIoError) {
  RecordingControl control;
  api::ServerOptions o;
  o.port = 0;
  o.token = kToken;
  api::Server first(control, o);
  auto a = first.Start();
  ASSERT_TRUE(a.has_value());
  o.port = a->port;
  api::Server second(control, o);
  auto b = second.Start();
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code(), Code::kIoError);
}

TEST(ServerOptionsTest, StartTwiceStopTwice) {
  RecordingControl control;
  api::ServerOptions o;
  o.port = 0;
  o.token = kToken;
  api::Server server(control, o);
  ASSERT_TRUE(server.Start().has_value());
  auto again = server.Start();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), Code::kFailedPrecondition);
  server.Stop();
  server.Stop();
}

}  // namespace
}  // namespace chaosrun::apitest
