// The fixture of the router tests: a real engine (seeded), a loopback echo server as upstream,
// and helpers that call Route() directly and check Toxiproxy's error shape.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "echo_server.h"
#include "http_client.h"
#include "proxy_api/router.h"

namespace chaosrun::proxy_api {

using apitest::EchoServer;
using apitest::PortOf;

class RouterTest : public ::testing::Test {
 protected:
  static proxy::Engine::Options Seeded() {
    proxy::Engine::Options o;
    o.seed = 42;
    return o;
  }

  Response Call(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& user_agent = "toxiproxy-cli") {
    return Route(engine_, Request{method, target, body, user_agent});
  }
  static Json Body(const Response& r) { return Json::parse(r.body); }
  std::string Upstream() const { return "127.0.0.1:" + std::to_string(echo_.port()); }

  // Creates `name` (listening on a free loopback port) and returns its JSON.
  Json Create(const std::string& name) {
    Json req = {{"name", name}, {"listen", "127.0.0.1:0"}, {"upstream", Upstream()}};
    Response r = Call("POST", "/proxies", req.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r);
  }
  Json AddLatency(const std::string& proxy, int ms) {
    Json req = {{"type", "latency"}, {"attributes", {{"latency", ms}, {"jitter", 0}}}};
    Response r = Call("POST", "/proxies/" + proxy + "/toxics", req.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  static void ExpectError(const Response& r, int status, const std::string& message) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    Json b = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(b.is_object()) << r.body;
    EXPECT_EQ(b.value("error", ""), message) << r.body;
    EXPECT_EQ(b.value("status", 0), status) << r.body;
    EXPECT_EQ(b.size(), 2u) << r.body;
  }
  static void ExpectErrorPrefix(const Response& r, int status, const std::string& prefix) {
    EXPECT_EQ(r.status, status) << r.body;
    Json b = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(b.is_object()) << r.body;
    EXPECT_EQ(b.value("error", "").rfind(prefix, 0), 0u) << r.body;
    EXPECT_EQ(b.value("status", 0), status);
  }

  EchoServer echo_;
  proxy::Engine engine_{Seeded()};
};

}  // namespace chaosrun::proxy_api
