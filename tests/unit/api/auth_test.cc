// The 401 matrix: every route (the /v1 ones and the fault proxy's under /toxiproxy/), every way
// to get the token wrong. Each must get 401 with WWW-Authenticate: Bearer and reach no Control
// call at all (the proxy engine stays untouched too); /healthz and /metrics need no token.
#include "api/auth.h"

#include <gtest/gtest.h>

#include "api_fixture.h"

namespace chaosrun::apitest {
namespace {

struct RouteCase {
  const char* method;
  const char* target;
  const char* body;
};

// Every route the API serves, each with a body that would succeed with the right token.
const RouteCase kRoutes[] = {
    {"GET", "/v1/experiments", ""},
    {"GET", "/v1/schedules", ""},
    {"PATCH", "/v1/schedules/nightly", R"({"paused": true})"},
    {"GET", "/v1/runs?schedule=nightly", ""},
    {"GET", "/v1/runs/run-1", ""},
    {"POST", "/v1/runs", R"({"experiment": "latency-drill"})"},
    {"POST", "/v1/runs/run-2/abort", ""},
    {"GET", "/v1/halt", ""},
    {"POST", "/v1/halt", R"({"reason": "x"})"},
    {"DELETE", "/v1/halt", ""},
    {"GET", "/toxiproxy/version", ""},
    {"GET", "/toxiproxy/proxies", ""},
    {"POST", "/toxiproxy/proxies",
     R"({"name": "p", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"})"},
    {"POST", "/toxiproxy/populate", R"([{"name": "q", "upstream": "127.0.0.1:9"}])"},
    {"POST", "/toxiproxy/reset", ""},
    // Unknown paths and wrong methods are refused before they are told apart.
    {"GET", "/v1/nothing", ""},
    {"DELETE", "/v1/runs", ""},
    {"GET", "/v1/runs/..%2f..%2fetc%2fpasswd", ""},
};

// Every wrong Authorization: none, wrong tokens, other schemes, near misses.
const std::vector<std::vector<std::string>> kBadAuth = {
    {},
    {"Authorization: Bearer wrong-token-0123456789abcdef"},
    {BearerHeader(std::string(kToken) + "x")},
    {BearerHeader(std::string(kToken).substr(1))},
    {std::string("Authorization: Basic ") + kToken},
    {std::string("Authorization: ") + kToken},
    {"Authorization: Bearer"},
    {"Authorization: Bearer "},
    {"Authorization: "},
    {std::string("Authorization: Bearer") + kToken},
    {std::string("X-Token: ") + kToken},
    {BearerHeader(), "Authorization: Bearer wrong"},
};

using AuthTest = ApiTest;

TEST_F(AuthTest, EveryRouteRefusesEveryBadTokenAndChangesNothing) {
  for (const RouteCase& route : kRoutes) {
    for (const auto& headers : kBadAuth) {
      std::string shown = headers.empty() ? "(none)" : headers[0];
      SCOPED_TRACE(std::string(route.method) + " " + route.target + " with " + shown);
      RawReply r = CallWithHeaders(route.method, route.target, route.body, headers);
      ExpectError(r, 401);
      EXPECT_EQ(r.Header("www-authenticate").rfind("Bearer", 0), 0u)
          << r.Header("www-authenticate");
    }
  }
  EXPECT_TRUE(control_.Calls().empty());
  // The engine behind /toxiproxy/ was never reached.
  EXPECT_TRUE(control_.ProxyEngine().ListProxies().empty());
}

TEST_F(AuthTest, TheSameRoutesWorkWithTheToken) {
  for (const RouteCase& route : kRoutes) {
    SCOPED_TRACE(std::string(route.method) + " " + route.target);
    RawReply r = Call(route.method, route.target, route.body);
    EXPECT_NE(r.status, 401) << r.body;
    EXPECT_NE(r.status, 0);
  }
  EXPECT_FALSE(control_.Calls().empty());
}

TEST_F(AuthTest, TheSchemeIsCaseInsensitive) {
  RawReply r = CallWithHeaders("GET", "/v1/experiments", "",
                               {std::string("Authorization: bearer  ") + kToken + " "});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(AuthTest, AnUnauthenticatedBodyIsNeverRead) {
  // Larger than the body limit: refused for the token (401), not for its size.
  std::string big(2 << 20, 'x');
  RawReply r = CallWithHeaders("POST", "/v1/runs", big, {});
  ExpectError(r, 401);
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(AuthTest, HealthAndMetricsIgnoreAWrongToken) {
  EXPECT_EQ(CallWithHeaders("GET", "/healthz", "", {"Authorization: Bearer nope"}).status, 200);
  EXPECT_EQ(CallWithHeaders("GET", "/metrics", "", {}).status, 200);
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(api::ConstantTimeEquals("abcdef", "abcdef"));
  EXPECT_FALSE(api::ConstantTimeEquals("abcdeg", "abcdef"));
  EXPECT_FALSE(api::ConstantTimeEquals("abcde", "abcdef"));
  EXPECT_FALSE(api::ConstantTimeEquals("abcdefg", "abcdef"));
  EXPECT_FALSE(api::ConstantTimeEquals("", "abcdef"));
  EXPECT_FALSE(api::ConstantTimeEquals(std::string("abc\0ef", 6), "abcdef"));
  EXPECT_TRUE(api::ConstantTimeEquals("", ""));
}

TEST(CheckBearerTest, Outcomes) {
  using api::AuthResult;
  EXPECT_EQ(api::CheckBearer(false, "", "tok"), AuthResult::kMissing);
  EXPECT_EQ(api::CheckBearer(true, "Bearer tok", "tok"), AuthResult::kOk);
  EXPECT_EQ(api::CheckBearer(true, "BEARER\ttok", "tok"), AuthResult::kOk);
  EXPECT_EQ(api::CheckBearer(true, "Bearer tok2", "tok"), AuthResult::kWrong);
  EXPECT_EQ(api::CheckBearer(true, "Bearer", "tok"), AuthResult::kMalformed);
  EXPECT_EQ(api::CheckBearer(true, "Basic tok", "tok"), AuthResult::kMalformed);
  EXPECT_EQ(api::CheckBearer(true, "Bearer x", ""), AuthResult::kWrong);
}

}  // namespace
}  // namespace chaosrun::apitest
