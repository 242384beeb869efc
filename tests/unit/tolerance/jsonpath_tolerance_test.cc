// `{type: jsonpath}` tolerances (ctk-spec §5.2) with the public corpus' expressions.
#include <gtest/gtest.h>

#include "test_util.h"

namespace chaosrun::tolerance::testing {
namespace {

Json PrometheusResponse(const char* second_value) {
  Json r = J(R"({"status": "success", "data": {"resultType": "vector", "result": [
      {"metric": {"__name__": "up", "job": "api"}, "value": [1732700000.781, "0"]},
      {"metric": {"__name__": "up", "job": "db"}, "value": [1732700000.781, "0"]}]}})");
  r["data"]["result"][1]["value"][1] = second_value;
  return r;
}

Json Items() {
  return J(R"({"items": [{"name": "a", "up": true}, {"name": "b", "up": false},
                          {"name": "c", "up": true}]})");
}

TEST(JsonPathTolerance, CorpusPrometheusCountZero) {
  Json t = J(R"({"type": "jsonpath", "path": "$.data.result.*[?(@.value[1]!=\"0\")]",
                 "count": 0})");
  EXPECT_TRUE(Eval(t, PrometheusResponse("0")).met);
  Verdict v = Eval(t, PrometheusResponse("4"));
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("matched 1"), std::string::npos) << v.reason;
  // The same document as text (a python probe returning a JSON string) is parsed first.
  EXPECT_TRUE(Eval(t, Json(PrometheusResponse("0").dump())).met);
  // `@.value` is a list, never equal to "0": every series matches.
  Json whole = J(R"({"type": "jsonpath", "path": "$.data.result.*[?(@.value!=\"0\")]",
                     "count": 0})");
  EXPECT_FALSE(Eval(whole, PrometheusResponse("0")).met);
}

TEST(JsonPathTolerance, CorpusHttpErrorBody) {
  Json t = J(R"({"type": "jsonpath", "target": "body", "path": "$.error", "count": 0})");
  EXPECT_TRUE(Eval(t, HttpOutput(200, J(R"({"data": 1})"))).met);
  EXPECT_FALSE(Eval(t, HttpOutput(500, J(R"({"error": "boom"})"))).met);
  EXPECT_FALSE(Eval(t, HttpOutput(500, Json(R"({"error": null})"))).met);  // body as text
  EXPECT_TRUE(Eval(t, HttpOutput(200, "not json at all")).met);  // a plain string: no match
}

TEST(JsonPathTolerance, DefaultIsAtLeastOneMatch) {
  EXPECT_TRUE(Eval(J(R"({"type": "jsonpath", "path": "$.items[0]"})"), Items()).met);
  Verdict v = Eval(J(R"({"type": "jsonpath", "path": "$.nothing"})"), Items());
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("matched nothing"), std::string::npos);
}

TEST(JsonPathTolerance, Count) {
  Json t = J(R"({"type": "jsonpath", "path": "$.items.*[?(@.up=true)]", "count": 2})");
  EXPECT_TRUE(Eval(t, Items()).met);
  t["count"] = 1;
  EXPECT_FALSE(Eval(t, Items()).met);
  t["count"] = 2.0;  // Python: 2 == 2.0
  EXPECT_TRUE(Eval(t, Items()).met);
  t["count"] = "2";
  EXPECT_FALSE(Eval(t, Items()).met);
}

TEST(JsonPathTolerance, ExpectOverridesCount) {
  Json t = J(R"({"type": "jsonpath", "path": "$.items.*[?(@.up=true)].name", "count": 5,
                 "expect": ["a", "c"]})");
  EXPECT_TRUE(Eval(t, Items()).met);
  t["expect"] = J(R"(["c", "a"])");  // order-sensitive
  EXPECT_FALSE(Eval(t, Items()).met);
  t["expect"] = J(R"(["a"])");
  EXPECT_FALSE(Eval(t, Items()).met);
  // A non-list expect is one expected match.
  t["path"] = "$.items[1].name";
  t["expect"] = "b";
  EXPECT_TRUE(Eval(t, Items()).met);
  t["expect"] = nullptr;  // present but null: matches must be [null]
  EXPECT_FALSE(Eval(t, Items()).met);
  t["path"] = "$.items[1]";
  EXPECT_TRUE(Eval(t, J(R"({"items": [0, null]})")).met);
  // expect: [] with zero matches is met.
  Json none = J(R"({"type": "jsonpath", "path": "$.nothing", "expect": []})");
  EXPECT_TRUE(Eval(none, Items()).met);
}

TEST(JsonPathTolerance, PathAndExpectAreSubstituted) {
  Json t = J(R"({"type": "jsonpath", "path": "${path}", "count": "${two}"})");
  // count is not substituted (only path and expect are): "${two}" never equals 2.
  EXPECT_FALSE(Eval(t, Items()).met);
  t.erase("count");
  EXPECT_TRUE(Eval(t, Items()).met);
  t = J(R"({"type": "jsonpath", "path": "${path}.name", "expect": "${names}"})");
  EXPECT_TRUE(Eval(t, Items()).met);
  t = J(R"({"type": "jsonpath", "path": "$.items.*.name", "expect": ["a", "${word}", "c"]})");
  EXPECT_FALSE(Eval(t, Items()).met);
  EXPECT_TRUE(Eval(t, J(R"({"items": [{"name": "a"}, {"name": "ready"}, {"name": "c"}]})")).met);
  t = J(R"({"type": "jsonpath", "path": "${expected}"})");
  EXPECT_FALSE(Eval(t, Items()).met);  // the path became an integer
}

TEST(JsonPathTolerance, TargetsAndOddValues) {
  Json t = J(R"({"type": "jsonpath", "target": "stdout", "path": "$.ok", "expect": true})");
  EXPECT_TRUE(Eval(t, ProcessOutput(0, "{\"ok\": true}\n")).met);
  EXPECT_FALSE(Eval(t, ProcessOutput(0, "{\"ok\": false}")).met);
  // Missing target key: the value is null.
  Json root = J(R"({"type": "jsonpath", "target": "nope", "path": "$", "expect": null})");
  EXPECT_TRUE(Eval(root, ProcessOutput(0, "")).met);
  // A target on a non-object output cannot apply (D4).
  Verdict v = Eval(t, "text");
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("object"), std::string::npos) << v.reason;
  // Scalars and null documents.
  EXPECT_TRUE(Eval(J(R"({"type": "jsonpath", "path": "$", "expect": 3})"), "3").met);
  EXPECT_TRUE(Eval(J(R"({"type": "jsonpath", "path": "$", "count": 1})"), nullptr).met);
}

TEST(JsonPathTolerance, InvalidPathIsNotMet) {
  Verdict v = Eval(J(R"({"type": "jsonpath", "path": "$.items[?(@.up==)]"})"), Items());
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("column"), std::string::npos) << v.reason;
  EXPECT_FALSE(Eval(J(R"({"type": "jsonpath"})"), Items()).met);
  EXPECT_FALSE(Eval(J(R"({"type": "jsonpath", "path": 3})"), Items()).met);
}

}  // namespace
}  // namespace chaosrun::tolerance::testing
