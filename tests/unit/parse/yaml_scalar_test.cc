// YAML 1.1 scalar resolution, checked against what PyYAML 6's safe_load gives for `v: <text>`.
#include "parse/yaml_scalar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "parse/loader.h"

namespace chaosrun::parse {
namespace {

Json LoadValue(const std::string& scalar) {
  auto doc = ParseText("v: " + scalar, DocFormat::kYaml, "t.yaml");
  EXPECT_TRUE(doc.has_value()) << scalar << ": " << doc.error().message();
  if (!doc) return Json("<error>");
  return (*doc)["v"];
}

struct Case {
  const char* text;
  Json expected;
};

class PlainScalar : public ::testing::TestWithParam<Case> {};

TEST_P(PlainScalar, ResolvesAsPyYaml) {
  const Case& c = GetParam();
  Json got = LoadValue(c.text);
  EXPECT_EQ(got, c.expected) << c.text << " -> " << got.dump();
  EXPECT_EQ(got.type(), c.expected.type()) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    PyYaml, PlainScalar,
    ::testing::Values(
        Case{"yes", true}, Case{"No", false}, Case{"ON", true}, Case{"off", false},
        Case{"True", true}, Case{"FALSE", false}, Case{"tRue", "tRue"}, Case{"y", "y"},
        Case{"n", "n"}, Case{"~", nullptr}, Case{"null", nullptr}, Case{"Null", nullptr},
        Case{"NULL", nullptr}, Case{"nULL", "nULL"}, Case{"0", 0u}, Case{"-0", 0u},
        Case{"+12", 12u}, Case{"012", 10u}, Case{"0o12", "0o12"}, Case{"08", "08"},
        Case{"0x_1F", 31u}, Case{"+0x1f", 31u}, Case{"0b1_01", 5u}, Case{"-0b11", -3},
        Case{"1_000", 1000u}, Case{"1__2", 12u}, Case{"190:20:30", 685230u}, Case{"-1:30", -90},
        Case{"12:30", 750u}, Case{"1:60", "1:60"}, Case{"0:10", "0:10"}, Case{"0.5", 0.5},
        Case{"-.5", "-.5"}, Case{".5", 0.5}, Case{"1.", 1.0}, Case{"3.", 3.0},
        Case{"1.e+3", 1000.0}, Case{"1e3", "1e3"}, Case{"1.0e3", "1.0e3"}, Case{"1.0E-3", 0.001},
        Case{"6.8523015e+5", 685230.15}, Case{"190:20:30.15", 685230.15}, Case{"1_0.5", 10.5},
        Case{"._", "._"}, Case{"2001-12-14", "2001-12-14"},
        Case{"9223372036854775807", 9223372036854775807u},
        Case{"9223372036854775808", 9223372036854775808u},
        Case{"-9223372036854775808", std::numeric_limits<int64_t>::min()},
        Case{"18446744073709551616", 18446744073709551616.0}, Case{"+", "+"}, Case{"0x", "0x"},
        Case{"0b2", "0b2"}, Case{"1 2", "1 2"}, Case{"0.1.2", "0.1.2"}, Case{"'yes'", "yes"},
        Case{"\"12\"", "12"}, Case{"'~'", "~"}, Case{"\"\"", ""}, Case{"", nullptr},
        Case{"hello world", "hello world"}, Case{"${x}", "${x}"}));

TEST(PlainScalar, InfinityAndNan) {
  EXPECT_EQ(LoadValue("+.inf").get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(LoadValue("-.Inf").get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(LoadValue(".INF").get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(LoadValue(".nan").get<double>()));
  EXPECT_TRUE(std::isnan(LoadValue(".NaN").get<double>()));
  EXPECT_EQ(LoadValue(".Nan"), Json(".Nan"));
}

TEST(PlainScalar, ValueIndicatorHasNoConstructor) {
  auto doc = ParseText("v: =", DocFormat::kYaml, "t.yaml");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), Code::kParseError);
  EXPECT_NE(doc.error().message().find("t.yaml:1:4: could not determine a constructor for the "
                                       "tag 'tag:yaml.org,2002:value'"),
            std::string::npos)
      << doc.error().message();
  // As a key it is the string "=".
  auto key = ParseText("=: 1", DocFormat::kYaml, "t.yaml");
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(*key, Json::parse(R"({"=": 1})"));
}

TEST(ExplicitTags, StandardScalarTags) {
  EXPECT_EQ(LoadValue("!!str 5"), Json("5"));
  EXPECT_EQ(LoadValue("!!str yes"), Json("yes"));
  EXPECT_EQ(LoadValue("!!str"), Json(""));
  EXPECT_EQ(LoadValue("!!str null"), Json("null"));
  EXPECT_EQ(LoadValue("!!int \"12\""), Json(12u));
  EXPECT_EQ(LoadValue("!!int '0x10'"), Json(16u));
  EXPECT_EQ(LoadValue("!!float '1e5'"), Json(100000.0));  // explicit: Python float()
  EXPECT_EQ(LoadValue("!!float 2"), Json(2.0));
  EXPECT_EQ(LoadValue("!!bool 'TrUe'"), Json(true));
  EXPECT_EQ(LoadValue("!!bool off"), Json(false));
  EXPECT_EQ(LoadValue("!!null whatever"), Json(nullptr));
  EXPECT_EQ(LoadValue("!!timestamp 2001-12-14"), Json("2001-12-14"));
  EXPECT_EQ(LoadValue("! 12"), Json("12"));  // the non-specific tag: a string
  EXPECT_EQ(LoadValue("!!seq [1, 2]"), Json::parse("[1, 2]"));
  EXPECT_EQ(LoadValue("!!map {a: 1}"), Json::parse(R"({"a": 1})"));
  EXPECT_EQ(LoadValue("!<tag:yaml.org,2002:str> 7"), Json("7"));
}

TEST(ExplicitTags, BadValuesForStandardTagsAreErrors) {
  for (const char* text : {"v: !!int abc", "v: !!bool maybe", "v: !!float x", "v: !!int ''",
                           "v: !!int 0b", "v: !!str [1]", "v: !!int {a: 1}"}) {
    auto doc = ParseText(text, DocFormat::kYaml, "t.yaml");
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().code(), Code::kParseError) << text;
    EXPECT_TRUE(doc.error().message().starts_with("t.yaml:1:4: ")) << doc.error().message();
  }
}

TEST(ExplicitTags, LanguageAndLocalTagsAreRejected) {
  struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"a: 1\nb: !!python/tuple [1, 2]",
       "t.yaml:2:4: could not determine a constructor for the tag "
       "'tag:yaml.org,2002:python/tuple'"},
      {"a: !custom x", "t.yaml:1:4: could not determine a constructor for the tag '!custom'"},
      {"a: !!python/object:os.system {}", "t.yaml:1:4: could not determine a constructor"},
      {"a: !!binary aGVsbG8=", "t.yaml:1:4: could not determine a constructor"},
      {"a: !!set {x}", "t.yaml:1:4: could not determine a constructor"},
      {"- !foo\n  k: v", "t.yaml:1:3: could not determine a constructor for the tag '!foo'"},
  };
  for (const auto& c : cases) {
    auto doc = ParseText(c.text, DocFormat::kYaml, "t.yaml");
    ASSERT_FALSE(doc) << c.text;
    EXPECT_EQ(doc.error().code(), Code::kParseError);
    EXPECT_TRUE(doc.error().message().starts_with(c.message)) << doc.error().message();
  }
}

TEST(Patterns, DirectMatchers) {
  using internal::IsYamlFloat;
  using internal::IsYamlInt;
  EXPECT_TRUE(IsYamlInt("-0b_"));
  EXPECT_TRUE(IsYamlInt("1:2:3"));
  EXPECT_FALSE(IsYamlInt("1:"));
  EXPECT_FALSE(IsYamlInt("1:2:"));
  EXPECT_FALSE(IsYamlInt("_1"));
  EXPECT_FALSE(IsYamlInt(""));
  EXPECT_TRUE(IsYamlFloat("1:2.5"));
  EXPECT_FALSE(IsYamlFloat("1:2"));
  EXPECT_FALSE(IsYamlFloat("1.0e+"));
  EXPECT_FALSE(IsYamlFloat("."));
  EXPECT_FALSE(IsYamlFloat("+.nan"));
}

TEST(Patterns, IntWithOnlyUnderscoreDigitsIsAnError) {
  // PyYAML matches "0x_" as an int and then fails in int(''): an error, never a crash.
  auto doc = ParseText("v: 0x_", DocFormat::kYaml, "t.yaml");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), Code::kParseError);
}

TEST(KeyString, AsJsonDumps) {
  using internal::KeyString;
  EXPECT_EQ(*KeyString(Json(nullptr)), "null");
  EXPECT_EQ(*KeyString(Json(true)), "true");
  EXPECT_EQ(*KeyString(Json(1.5)), "1.5");
  EXPECT_EQ(*KeyString(Json(-3)), "-3");
  EXPECT_EQ(*KeyString(Json(std::numeric_limits<double>::infinity())), "Infinity");
  EXPECT_FALSE(KeyString(Json::array()));
}

}  // namespace
}  // namespace chaosrun::parse
