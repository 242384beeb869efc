#include "providers/http_encode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosrun::providers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(QuotePlusTest, MatchesPythonQuotePlus) {
  EXPECT_EQ(QuotePlus("abcXYZ019_.-~"), "abcXYZ019_.-~");
  EXPECT_EQ(QuotePlus("a b&c=d/e?f#g+h%"), "a+b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
  EXPECT_EQ(QuotePlus("\xC3\xBC *"), "%C3%BC+%2A");
  EXPECT_EQ(QuotePlus(""), "");
}

std::string Encode(const char* json) {
  auto r = EncodeParams(Json::parse(json));
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? *r : "";
}

TEST(EncodeParamsTest, ObjectLikeRequests) {
  EXPECT_EQ(Encode(R"({"a b": "c&d", "k": "é/~_.-*", "n": 1, "t": true, "f": 1.5})"),
            "a+b=c%26d&k=%C3%A9%2F~_.-%2A&n=1&t=True&f=1.5");
}

TEST(EncodeParamsTest, ListValuesRepeatTheKeyAndNullsAreSkipped) {
  EXPECT_EQ(Encode(R"({"x": [1, "two", null, false], "gone": null, "y": ""})"),
            "x=1&x=two&x=False&y=");
}

TEST(EncodeParamsTest, PairsStringsAndNull) {
  EXPECT_EQ(Encode(R"([["a", 1], ["a", 2]])"), "a=1&a=2");
  EXPECT_EQ(Encode(R"("raw=as is&x")"), "raw=as is&x");
  EXPECT_EQ(Encode("null"), "");
  EXPECT_EQ(Encode("{}"), "");
  EXPECT_FALSE(EncodeParams(Json::parse("[1, 2]")).has_value());
  EXPECT_FALSE(EncodeParams(Json::parse("42")).has_value());
}

TEST(AppendQueryTest, JoinsWithExistingQueryAndKeepsFragment) {
  EXPECT_EQ(AppendQuery("http://h/p", "a=1"), "http://h/p?a=1");
  EXPECT_EQ(AppendQuery("http://h/p?x=0", "a=1"), "http://h/p?x=0&a=1");
  EXPECT_EQ(AppendQuery("http://h/p?", "a=1"), "http://h/p?a=1");
  EXPECT_EQ(AppendQuery("http://h/p#frag", "a=1"), "http://h/p?a=1#frag");
  EXPECT_EQ(AppendQuery("http://h/p", ""), "http://h/p");
}

TEST(ResponseHeadersTest, KeepsNamesAsSentAndJoinsRepeats) {
  ResponseHeaders h;
  for (const char* line :
       {"HTTP/1.1 200 OK", "Content-Type: application/json", "X-Thing:  spaced value  ",
        "set-cookie: a=1", "Set-Cookie: b=2", "X-Folded: one", "  two", "not a header", ""}) {
    h.Feed(line);
  }
  EXPECT_EQ(h.ToJson().dump(), R"({"Content-Type":"application/json","X-Thing":"spaced value",)"
                               R"("set-cookie":"a=1, b=2","X-Folded":"one two"})");
  EXPECT_EQ(h.Get("content-type"), "application/json");
  EXPECT_EQ(h.Get("SET-COOKIE"), "a=1, b=2");
  EXPECT_EQ(h.Get("missing"), std::nullopt);
}

TEST(ResponseHeadersTest, ANewStatusLineStartsOver) {
  ResponseHeaders h;
  h.Feed("HTTP/1.1 302 Found");
  h.Feed("Location: /next");
  h.Feed("");
  h.Feed("HTTP/1.1 200 OK");
  h.Feed("X-Final: yes");
  EXPECT_EQ(h.ToJson().dump(), R"({"X-Final":"yes"})");
}

TEST(ResponseHeadersTest, Latin1ValuesAreDecoded) {
  ResponseHeaders h;
  h.Feed("X-Name: caf\xE9");
  EXPECT_EQ(h.ToJson()["X-Name"], "caf\xC3\xA9");
}

TEST(ContentTypeRuleTest, OnlyExactApplicationJson) {
  EXPECT_TRUE(IsExactJsonContentType("application/json"));
  EXPECT_FALSE(IsExactJsonContentType("application/json; charset=utf-8"));
  EXPECT_FALSE(IsExactJsonContentType("Application/JSON"));
  EXPECT_FALSE(IsExactJsonContentType("text/plain"));
  EXPECT_FALSE(IsExactJsonContentType(std::nullopt));
}

TEST(HttpTimeoutTest, Forms) {
  auto t = ParseHttpTimeout(Json::parse(R"({})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->total || t->connect || t->read);
  t = ParseHttpTimeout(Json::parse(R"({"timeout": 2.5})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->total, 2.5);
  t = ParseHttpTimeout(Json::parse(R"({"timeout": [1, 0.2]})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->connect, 1.0);
  EXPECT_EQ(t->read, 0.2);
  EXPECT_FALSE(t->total);
  t = ParseHttpTimeout(Json::parse(R"({"timeout": [null, 3]})"));
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->connect);
  EXPECT_EQ(t->read, 3.0);
  for (const char* bad : {R"({"timeout": "5"})", R"({"timeout": [1]})", R"({"timeout": 0})",
                          R"({"timeout": [1, "x"]})", R"({"timeout": -1})"}) {
    auto r = ParseHttpTimeout(Json::parse(bad));
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_THAT(r.error().message(), HasSubstr("'timeout'"));
  }
}

TEST(ExpectedStatusTest, IntOrListOfInts) {
  EXPECT_EQ(ParseExpectedStatus(Json::parse("{}")).value(), std::nullopt);
  EXPECT_THAT(ParseExpectedStatus(Json::parse(R"({"expected_status": 200})")).value().value(),
              ElementsAre(200));
  EXPECT_THAT(
      ParseExpectedStatus(Json::parse(R"({"expected_status": [200, 204]})")).value().value(),
      ElementsAre(200, 204));
  EXPECT_FALSE(ParseExpectedStatus(Json::parse(R"({"expected_status": "200"})")).has_value());
  EXPECT_FALSE(ParseExpectedStatus(Json::parse(R"({"expected_status": [200, "x"]})")).has_value());
}

TEST(RequestHeadersTest, LinesNullsAndInjection) {
  auto lines = BuildRequestHeaders(Json::parse(R"({"A": "1", "B": 2, "C": null, "D": ""})"));
  ASSERT_TRUE(lines.has_value());
  EXPECT_THAT(*lines, ElementsAre("A: 1", "B: 2", "D;"));
  EXPECT_TRUE(BuildRequestHeaders(Json()).value().empty());
  EXPECT_FALSE(BuildRequestHeaders(Json::parse(R"(["A"])")).has_value());
  EXPECT_FALSE(BuildRequestHeaders(Json::parse(R"({"A": "x\r\nEvil: 1"})")).has_value());
  EXPECT_FALSE(BuildRequestHeaders(Json::parse(R"({"A:B": "x"})")).has_value());
}

}  // namespace
}  // namespace chaosrun::providers
