#include "jsonpath/jsonpath.h"

#include <gtest/gtest.h>

#include <string>

namespace chaosrun::jsonpath {
namespace {

Json Doc() {
  return Json::parse(R"({
    "store": {"name": "shop", "open": true},
    "items": [
      {"name": "a", "up": true,  "n": 1, "tags": ["x", "y"]},
      {"name": "b", "up": false, "n": 2, "tags": []},
      {"name": "c", "up": true,  "n": 3.5, "extra": null}
    ],
    "nums": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    "text": "héllo wörld"
  })");
}

// Evaluates and returns the matches as one JSON array (easier to compare).
Json Eval(const std::string& path, const Json& doc = Doc()) {
  auto compiled = JsonPath::Compile(path);
  EXPECT_TRUE(compiled.has_value()) << path << ": " << compiled.error().ToString();
  if (!compiled) return Json("<compile error>");
  Json out = Json::array();
  for (Json& m : compiled->Evaluate(doc)) out.push_back(std::move(m));
  return out;
}

Status CompileError(const std::string& path) {
  auto compiled = JsonPath::Compile(path);
  if (compiled) return Status::Ok();
  return compiled.error();
}

TEST(JsonPath, RootAndMembers) {
  EXPECT_EQ(Eval("$"), Json::array({Doc()}));
  EXPECT_EQ(Eval("$.store.name"), Json::array({"shop"}));
  EXPECT_EQ(Eval(R"($["store"]["name"])"), Json::array({"shop"}));
  EXPECT_EQ(Eval("$.store.missing"), Json::array());
  EXPECT_EQ(Eval("$.items.name"), Json::array());  // a member of an array: nothing
  EXPECT_EQ(Eval(" $ . store . name "), Json::array({"shop"}));
}

TEST(JsonPath, WildcardsOnObjectsAndArrays) {
  EXPECT_EQ(Eval("$.store.*"), Json::array({"shop", true}));
  EXPECT_EQ(Eval("$.items[*].name"), Json::array({"a", "b", "c"}));
  EXPECT_EQ(Eval("$.items.*.name"), Json::array({"a", "b", "c"}));
  EXPECT_EQ(Eval("$.text.*"), Json::array());
}

TEST(JsonPath, IndexesAreLikePython) {
  EXPECT_EQ(Eval("$.nums[0]"), Json::array({0}));
  EXPECT_EQ(Eval("$.nums[-1]"), Json::array({9}));
  EXPECT_EQ(Eval("$.nums[10]"), Json::array());
  EXPECT_EQ(Eval("$.nums[-11]"), Json::array());
  EXPECT_EQ(Eval("$.store[0]"), Json::array());
}

TEST(JsonPath, SlicesAreLikePython) {
  EXPECT_EQ(Eval("$.nums[2:5]"), Json::array({2, 3, 4}));
  EXPECT_EQ(Eval("$.nums[-2:]"), Json::array({8, 9}));
  EXPECT_EQ(Eval("$.nums[:3]"), Json::array({0, 1, 2}));
  EXPECT_EQ(Eval("$.nums[::3]"), Json::array({0, 3, 6, 9}));
  EXPECT_EQ(Eval("$.nums[::-3]"), Json::array({9, 6, 3, 0}));
  EXPECT_EQ(Eval("$.nums[8:2:-2]"), Json::array({8, 6, 4}));
  EXPECT_EQ(Eval("$.nums[-100:2]"), Json::array({0, 1}));
  EXPECT_EQ(Eval("$.nums[5:100]"), Json::array({5, 6, 7, 8, 9}));
  EXPECT_EQ(Eval("$.nums[5:2]"), Json::array());
  EXPECT_EQ(Eval("$.nums[:]").size(), 10u);
  EXPECT_EQ(Eval("$.nums[::0]"), Json::array());  // Python raises; we match nothing
  EXPECT_EQ(Eval("$.nums[0:10:9223372036854775807]"), Json::array({0}));
  EXPECT_EQ(Eval("$.nums[9:0:-9223372036854775808]"), Json::array({9}));
  EXPECT_EQ(Eval("$.store[0:1]"), Json::array());
}

TEST(JsonPath, Unions) {
  EXPECT_EQ(Eval("$.nums[0,2,-1]"), Json::array({0, 2, 9}));
  EXPECT_EQ(Eval(R"($.store["name","open"])"), Json::array({"shop", true}));
  EXPECT_EQ(Eval("$.nums[0,1:3]"), Json::array({0, 1, 2}));
  EXPECT_EQ(Eval("$.items[0,1].name"), Json::array({"a", "b"}));
}

TEST(JsonPath, RecursiveDescent) {
  EXPECT_EQ(Eval("$..name"), Json::array({"shop", "a", "b", "c"}));
  Json doc = Json::parse(R"({"a": {"b": 1, "c": [2, {"b": 3}]}})");
  EXPECT_EQ(Eval("$..b", doc), Json::array({1, 3}));
  EXPECT_EQ(Eval("$..*", doc),
            Json::parse(R"([{"b": 1, "c": [2, {"b": 3}]}, 1, [2, {"b": 3}], 2, {"b": 3}, 3])"));
  EXPECT_EQ(Eval(R"($..["b"])", doc), Json::array({1, 3}));
  EXPECT_EQ(Eval("$..[0]", doc), Json::array({2}));
  // A recursive filter tests every node: the array elements are reached this way.
  EXPECT_EQ(Eval("$..[?(@.up=true)].name"), Json::array({"a", "c"}));
  EXPECT_EQ(Eval("$..length()", doc), Json::array({1, 2, 2, 1}));
}

TEST(JsonPath, FilterTestsTheCurrentNodeItself) {
  // jsonpath2: the filter applies to the array, not its elements.
  EXPECT_EQ(Eval("$.items[?(@.up=true)]"), Json::array());
  EXPECT_EQ(Eval("$.items.*[?(@.up=true)].name"), Json::array({"a", "c"}));
  EXPECT_EQ(Eval("$.items[*][?(@.up=true)].name"), Json::array({"a", "c"}));
  EXPECT_EQ(Eval("$.store[?(@.open)].name"), Json::array({"shop"}));
  EXPECT_EQ(Eval("$.nums.*[?(@ > 7)]"), Json::array({8, 9}));
}

TEST(JsonPath, EqualityAcceptsBothSpellings) {
  EXPECT_EQ(Eval(R"($.items.*[?(@.name="b")].n)"), Json::array({2}));
  EXPECT_EQ(Eval(R"($.items.*[?(@.name=="b")].n)"), Json::array({2}));  // D9
  EXPECT_EQ(Eval(R"($.items.*[?(@.name!="b")].n)"), Json::array({1, 3.5}));
  // Python equality: 1 == 1.0 == true.
  EXPECT_EQ(Eval("$.items.*[?(@.n=1.0)].name"), Json::array({"a"}));
  EXPECT_EQ(Eval("$.items.*[?(@.n=true)].name"), Json::array({"a"}));
  EXPECT_EQ(Eval("$.items.*[?(@.extra=null)].name"), Json::array({"c"}));
  EXPECT_EQ(Eval(R"($.items.*[?(@.tags=["x","y"])].name)"), Json::array({"a"}));
  EXPECT_EQ(Eval(R"($[?(@.store={"open":true,"name":"shop"})].text)"),
            Json::array({"héllo wörld"}));
}

TEST(JsonPath, OrderingIsForNumbersOnly) {
  EXPECT_EQ(Eval("$.items.*[?(@.n<2)].name"), Json::array({"a"}));
  EXPECT_EQ(Eval("$.items.*[?(@.n<=2)].name"), Json::array({"a", "b"}));
  EXPECT_EQ(Eval("$.items.*[?(@.n>2)].name"), Json::array({"c"}));
  EXPECT_EQ(Eval("$.items.*[?(@.n>=3.5)].name"), Json::array({"c"}));
  EXPECT_EQ(Eval(R"($.items.*[?(@.name>"a")].name)"), Json::array());
  EXPECT_EQ(Eval(R"($.items.*[?(@.name<"z")].name)"), Json::array());
  EXPECT_EQ(Eval("$.items.*[?(@.n>-1e3)].name"), Json::array({"a", "b", "c"}));
}

TEST(JsonPath, Contains) {
  EXPECT_EQ(Eval(R"($.items.*[?(@.tags contains "y")].name)"), Json::array({"a"}));
  EXPECT_EQ(Eval(R"($[?(@.text contains "wör")].store.name)"), Json::array({"shop"}));
  EXPECT_EQ(Eval(R"($[?(@.store contains "open")].store.name)"), Json::array({"shop"}));
  EXPECT_EQ(Eval(R"($[?(@.store contains "shop")].store.name)"), Json::array());
  EXPECT_EQ(Eval("$[?(@.nums contains 3.0)].store.name"), Json::array({"shop"}));
  EXPECT_EQ(Eval("$.items.*[?(@.n contains 1)].name"), Json::array());
}

TEST(JsonPath, BooleanOperators) {
  EXPECT_EQ(Eval("$.items.*[?(@.up=true and @.n>2)].name"), Json::array({"c"}));
  EXPECT_EQ(Eval(R"($.items.*[?(@.name="a" or @.name="b")].name)"), Json::array({"a", "b"}));
  EXPECT_EQ(Eval("$.items.*[?(not @.up=true)].name"), Json::array({"b"}));
  EXPECT_EQ(Eval("$.items.*[?(not @.extra)].name"), Json::array({"a", "b"}));
  EXPECT_EQ(Eval("$.items.*[?(not (@.up=true and @.n<2))].name"), Json::array({"b", "c"}));
}

TEST(JsonPath, OrBindsTighterThanAnd) {
  // a and b or c == a and (b or c) in jsonpath2 (conventional: (a and b) or c).
  const char* path = R"($.items.*[?(@.name="a" and @.n=5 or @.up=true)].name)";
  EXPECT_EQ(Eval(path), Json::array({"a"}));
  // a or b and c == (a or b) and c (conventional: a or (b and c)).
  path = R"($.items.*[?(@.name="b" or @.name="c" and @.up=true)].name)";
  EXPECT_EQ(Eval(path), Json::array({"c"}));
  path = R"($.items.*[?(@.name="b" or (@.name="c" and @.up=true))].name)";
  EXPECT_EQ(Eval(path), Json::array({"b", "c"}));
}

TEST(JsonPath, BareOperandMeansExists) {
  EXPECT_EQ(Eval("$.items.*[?(@.extra)].name"), Json::array({"c"}));  // exists even if null
  EXPECT_EQ(Eval("$.items.*[?(@.tags[0])].name"), Json::array({"a"}));
  EXPECT_EQ(Eval("$[?($.store)].store.name"), Json::array({"shop"}));
}

TEST(JsonPath, ComparisonsAreExistential) {
  // Any tag equal to "y"; a path on the right is also existential.
  EXPECT_EQ(Eval(R"($.items.*[?(@.tags.*="y")].name)"), Json::array({"a"}));
  EXPECT_EQ(Eval(R"($.items.*[?(@.tags.*!="x")].name)"), Json::array({"a"}));
  EXPECT_EQ(Eval("$.items.*[?(@.name=$.items[1].name)].n"), Json::array({2}));
  EXPECT_EQ(Eval("$.items.*[?(@.missing!=1)].name"), Json::array());
}

TEST(JsonPath, Functions) {
  EXPECT_EQ(Eval("$.items.length()"), Json::array({3}));
  EXPECT_EQ(Eval("$.store.length()"), Json::array({2}));
  EXPECT_EQ(Eval("$.text.length()"), Json::array({11}));  // code points
  EXPECT_EQ(Eval("$.store.keys()"), Json::parse(R"([["name", "open"]])"));
  EXPECT_EQ(Eval("$.store.values()"), Json::parse(R"([["shop", true]])"));
  EXPECT_EQ(Eval("$.store.entries()"), Json::parse(R"([[["name", "shop"], ["open", true]]])"));
  EXPECT_EQ(Eval("$.text.charAt(1)"), Json::array({"é"}));
  EXPECT_EQ(Eval("$.text.charAt(-1)"), Json::array({"d"}));
  EXPECT_EQ(Eval("$.text.charAt(99)"), Json::array());
  EXPECT_EQ(Eval("$.text.substring(6)"), Json::array({"wörld"}));
  EXPECT_EQ(Eval("$.text.substring(0,5)"), Json::array({"héllo"}));
  EXPECT_EQ(Eval("$.text.substring(-5,-3)"), Json::array({"wö"}));
  EXPECT_EQ(Eval("$.text.substring(4,2)"), Json::array({""}));
  EXPECT_EQ(Eval("$.nums[length()]"), Json::array({10}));
  EXPECT_EQ(Eval("$.nums.keys()"), Json::array());
  EXPECT_EQ(Eval("$.items.*[?(@.tags.length()=2)].name"), Json::array({"a"}));
  EXPECT_EQ(Eval("$.text.charAt($.nums[2])"), Json::array({"l"}));
}

TEST(JsonPath, PathSubscripts) {
  Json doc = Json::parse(R"({"k": "b", "i": 1, "m": {"b": 7}, "l": [10, 20]})");
  EXPECT_EQ(Eval("$.m[$.k]", doc), Json::array({7}));
  EXPECT_EQ(Eval("$.l[$.i]", doc), Json::array({20}));
}

TEST(JsonPath, LiteralsAreJson) {
  Json doc = Json::parse(R"({"v": {"a": [1, {"b": null}]}, "s": "q\"x\u00e9"})");
  EXPECT_EQ(Eval(R"($[?(@.v={"a":[1,{"b":null}]})].s)", doc), Json::array({"q\"xé"}));
  EXPECT_EQ(Eval(R"($[?(@.s="q\"x\u00e9")].s)", doc), Json::array({"q\"xé"}));
  EXPECT_EQ(Eval(R"($["s"])", doc), Json::array({"q\"xé"}));
}

TEST(JsonPath, PrometheusCorpusExpressions) {
  Json resp = Json::parse(R"({
    "status": "success",
    "data": {"resultType": "vector", "result": [
      {"metric": {"job": "api", "instance": "a:9100"}, "value": [1700000000.123, "0"]},
      {"metric": {"job": "api", "instance": "b:9100"}, "value": [1700000000.123, "3"]},
      {"metric": {"job": "db", "instance": "c:9100"}, "value": [1700000000.123, "0"]}
    ]}})");
  auto errors = Eval(R"($.data.result.*[?(@.value[1]!="0")])", resp);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["metric"]["instance"], "b:9100");
  // A list never equals "0": every result matches.
  EXPECT_EQ(Eval(R"($.data.result.*[?(@.value!="0")])", resp).size(), 3u);
  EXPECT_EQ(Eval("$.error", resp), Json::array());
  EXPECT_EQ(Eval("$.error", Json::parse(R"({"error": "boom"})")), Json::array({"boom"}));
  Json healthy = resp;
  healthy["data"]["result"][1]["value"][1] = "0";
  EXPECT_EQ(Eval(R"($.data.result.*[?(@.value[1]!="0")])", healthy), Json::array());
  EXPECT_EQ(Eval(R"($.data.result.*[?(@.value[1]!="0")])", Json("text")), Json::array());
}

TEST(JsonPath, ScalarsAndNullDocuments) {
  EXPECT_EQ(Eval("$", Json(nullptr)), Json::array({nullptr}));
  EXPECT_EQ(Eval("$.a", Json(nullptr)), Json::array());
  EXPECT_EQ(Eval("$..*", Json(3)), Json::array());
  EXPECT_EQ(Eval("$[?(@=3)]", Json(3)), Json::array({3}));
}

TEST(JsonPathSyntax, ErrorsNameTheColumn) {
  struct Case {
    const char* path;
    const char* column;
  };
  const Case cases[] = {
      {"", "column 1"},
      {"a.b", "column 1"},
      {"$.", "column 3"},
      {"$.a[", "column 5"},
      {"$.a[0", "column 6"},
      {"$[?(@.a=)]", "column 9"},
      {"$[?(@.a = 1]", "column 12"},
      {"$.a b", "column 5"},
      {"$[name]", "column 3"},
      {"$['a']", "column 3"},
      {"$.a!b", "column 4"},
      {"$[1.5]", "column 3"},
      {"$.foo()", "column 3"},
      {"$.length(1)", "column 3"},
      {"$[\"abc", "column 3"},
      {"$[?(1 = @.a)]", "column 5"},
      {"$.a#", "column 4"},
      {"$[?(@.a=[1,)]", "column 12"},
      {"$.a[?@.b]", "column 6"},
      {"$[01]", "column 3"},
  };
  for (const Case& c : cases) {
    Status s = CompileError(c.path);
    EXPECT_EQ(s.code(), Code::kParseError) << c.path;
    EXPECT_NE(s.message().find(c.column), std::string::npos) << c.path << " -> " << s.message();
  }
}

TEST(JsonPathSyntax, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "$";
  for (int i = 0; i < 5000; ++i) deep += "[?(";
  EXPECT_EQ(CompileError(deep).code(), Code::kParseError);
  std::string chain = "$[?(@";
  for (int i = 0; i < 5000; ++i) chain += " and @";
  chain += ")]";
  EXPECT_EQ(CompileError(chain).code(), Code::kParseError);
  std::string literal = "$[?(@=";
  for (int i = 0; i < 5000; ++i) literal += "[";
  EXPECT_EQ(CompileError(literal).code(), Code::kParseError);
  // Moderate nesting is fine.
  EXPECT_TRUE(JsonPath::Compile("$[?(((((@.a)))))]").has_value());
}

TEST(JsonPath, PathologicalExpressionsTerminate) {
  Json doc = Json::array();
  for (int i = 0; i < 200; ++i) doc = Json::array({i, std::move(doc)});
  auto p = JsonPath::Compile("$..*..*..*..*..*");
  ASSERT_TRUE(p.has_value());
  bool exhausted = false;
  p->Evaluate(doc, &exhausted);  // bounded by the work budget
  EXPECT_TRUE(exhausted);
  p->Evaluate(Json::array({1}), &exhausted);
  EXPECT_FALSE(exhausted);
}

TEST(JsonPath, KeepsExpressionText) {
  auto p = JsonPath::Compile("$.a");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->expression(), "$.a");
}

}  // namespace
}  // namespace chaosrun::jsonpath
