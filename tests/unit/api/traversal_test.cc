// Names and paths from requests: traversal attempts in the path (raw and %-encoded), in the
// query and in bodies are 400 and never reach the Control.
#include <gtest/gtest.h>

#include "api/names.h"
#include "api_fixture.h"

namespace chaosrun::apitest {
namespace {

using TraversalTest = ApiTest;

TEST_F(TraversalTest, PathAttemptsAre400) {
  const char* kTargets[] = {
      "/v1/runs/..",
      "/v1/runs/../abort",
      "/v1/runs/%2e%2e",
      "/v1/runs/%2E%2E/abort",
      "/v1/runs/.",
      "/v1/runs/..%2f..%2fetc%2fpasswd",
      "/v1/runs/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/v1/runs/%2fetc%2fpasswd",
      "/v1/schedules/%2Fetc%2Fshadow",
      "/v1/runs/..%5c..%5cwindows",
      "/v1/runs/a%00b",
      "/v1/runs/%00",
      "/v1/runs/.hidden",
      "/v1/runs/a..b",
      "/v1/runs/~root",
      "/v1/runs/a%20b",
      "/v1/runs/%zz",
      "/v1/runs/",
      "/v1/../v1/experiments",
      "/v1/./experiments",
      "//etc/passwd",
      "/v1//runs",
      "http://127.0.0.1/v1/runs",
      "v1/runs",
      "*",
  };
  for (const char* target : kTargets) {
    SCOPED_TRACE(target);
    RawReply r = Call("GET", target);
    ExpectError(r, 400);
    // Another method on a name route may be 405 first; never a success.
    r = Call("PATCH", std::string(target), R"({"paused": true})");
    EXPECT_TRUE(r.status == 400 || r.status == 405) << r.status << " " << r.body;
  }
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(TraversalTest, BodyNamesAre400) {
  const char* kNames[] = {
      "../../etc/passwd", "/etc/passwd", "..",   ".",   ".hidden", "x/y", "a\\b", "", "a b",
      "exp;rm -rf /",     "$(id)",       "`id`", "a\nb"};
  for (const char* name : kNames) {
    SCOPED_TRACE(name);
    ExpectError(Call("POST", "/v1/runs", Json{{"experiment", name}}.dump()), 400, "/experiment: ");
  }
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "a\u0000b"})"), 400,
              "/experiment: contains a NUL byte");
  ExpectError(Call("POST", "/v1/runs", Json{{"experiment", std::string(129, 'e')}}.dump()), 400,
              "longer than 128 bytes");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(TraversalTest, QueryNamesAre400) {
  for (const char* q :
       {"schedule=..", "schedule=%2e%2e%2f", "schedule=/etc", "outcome=a%00", "schedule=.x"}) {
    SCOPED_TRACE(q);
    ExpectError(Call("GET", std::string("/v1/runs?") + q), 400, "query parameter");
  }
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(TraversalTest, RawNulAndControlBytesInTheRequestLine) {
  std::string target = std::string("/v1/runs/a") + '\0' + "b";
  RawReply r = Exchange(port_, BuildRequest("GET", target, {BearerHeader()}));
  EXPECT_EQ(r.status, 400) << r.body;
  r = Exchange(port_, BuildRequest("GET", "/v1/runs/a\tb", {BearerHeader()}));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(control_.Calls().empty());
}

TEST(NamesTest, Problems) {
  EXPECT_EQ(api::NameProblem("latency-drill.v2_1"), "");
  EXPECT_EQ(api::NameProblem("a"), "");
  EXPECT_EQ(api::NameProblem(""), "is empty");
  EXPECT_EQ(api::NameProblem(".a"), "starts with '.'");
  EXPECT_EQ(api::NameProblem("a..b"), "contains '..'");
  EXPECT_EQ(api::NameProblem("a/b"), "contains '/' (a path, not a name)");
  EXPECT_EQ(api::NameProblem(std::string("a\0b", 3)), "contains a NUL byte");
  EXPECT_EQ(api::NameProblem("a\x01"), "contains \\x01 (allowed: letters, digits, '.', '_', '-')");
  EXPECT_EQ(api::NameProblem(std::string(128, 'a')), "");
  EXPECT_EQ(api::NameProblem(std::string(129, 'a')), "is longer than 128 bytes");
}

TEST(NamesTest, ParseTarget) {
  auto t = api::ParseTarget("/v1/runs/a%2Db?schedule=x+y&limit=3&flag");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->segments, (std::vector<std::string>{"v1", "runs", "a-b"}));
  EXPECT_EQ(t->query.at("schedule"), "x y");
  EXPECT_EQ(t->query.at("limit"), "3");
  EXPECT_EQ(t->query.at("flag"), "");
  EXPECT_TRUE(api::ParseTarget("/")->segments.empty());
  EXPECT_FALSE(api::ParseTarget("/a/%2e%2e").has_value());
  EXPECT_FALSE(api::ParseTarget("/a?x=%zz").has_value());
}

}  // namespace
}  // namespace chaosrun::apitest
