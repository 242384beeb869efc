#include "jsonpath/python_value.h"

#include <gtest/gtest.h>

namespace chaosrun::jsonpath {
namespace {

TEST(PyEquals, NumbersCompareByExactValue) {
  EXPECT_TRUE(PyEquals(Json(1), Json(1.0)));
  EXPECT_TRUE(PyEquals(Json(true), Json(1)));
  EXPECT_TRUE(PyEquals(Json(false), Json(0.0)));
  EXPECT_TRUE(PyEquals(Json(static_cast<uint64_t>(5)), Json(5)));
  EXPECT_FALSE(PyEquals(Json(1), Json(1.5)));
  // 2^53 + 1 is not equal to the double 2^53 (Python compares exactly).
  EXPECT_FALSE(PyEquals(Json(9007199254740993LL), Json(9007199254740992.0)));
  EXPECT_TRUE(PyEquals(Json(9007199254740992LL), Json(9007199254740992.0)));
  EXPECT_TRUE(PyEquals(Json(-3), Json(-3.0)));
  EXPECT_FALSE(PyEquals(Json(-3), Json(3)));
  EXPECT_FALSE(PyEquals(Json(UINT64_MAX), Json(-1)));
  EXPECT_TRUE(PyEquals(Json(INT64_MIN), Json(-9223372036854775808.0)));
}

TEST(PyEquals, OtherTypes) {
  EXPECT_TRUE(PyEquals(Json(nullptr), Json(nullptr)));
  EXPECT_FALSE(PyEquals(Json(nullptr), Json(0)));
  EXPECT_FALSE(PyEquals(Json("1"), Json(1)));
  EXPECT_TRUE(
      PyEquals(Json::parse(R"({"a":1,"b":[1,2]})"), Json::parse(R"({"b":[1.0,2],"a":true})")));
  EXPECT_FALSE(PyEquals(Json::parse("[1,2]"), Json::parse("[2,1]")));
  EXPECT_FALSE(PyEquals(Json::parse(R"({"a":1})"), Json::parse(R"({"a":1,"b":2})")));
  EXPECT_FALSE(PyEquals(Json::parse(R"({"status":200})"), Json(true)));
}

TEST(PyCompare, OrderingLikePython) {
  EXPECT_EQ(PyCompare(Json(1), Json(2.5)), std::partial_ordering::less);
  EXPECT_EQ(PyCompare(Json(true), Json(0)), std::partial_ordering::greater);
  EXPECT_EQ(PyCompare(Json("abc"), Json("abd")), std::partial_ordering::less);
  EXPECT_EQ(PyCompare(Json("é"), Json("z")), std::partial_ordering::greater);
  EXPECT_EQ(PyCompare(Json::parse("[1,2]"), Json::parse("[1,3]")), std::partial_ordering::less);
  EXPECT_EQ(PyCompare(Json::parse("[1,2]"), Json::parse("[1]")), std::partial_ordering::greater);
  EXPECT_EQ(PyCompare(Json::parse("[1,2]"), Json::parse("[1.0,2]")),
            std::partial_ordering::equivalent);
  EXPECT_EQ(PyCompare(Json(1), Json("1")), std::nullopt);
  EXPECT_EQ(PyCompare(Json(nullptr), Json(nullptr)), std::nullopt);
  EXPECT_EQ(PyCompare(Json::object(), Json::object()), std::nullopt);
  EXPECT_EQ(PyCompare(Json::parse("[1,\"a\"]"), Json::parse("[1,2]")), std::nullopt);
}

TEST(PyEquals, DeepNestingDoesNotOverflow) {
  // Built twice rather than copied: nlohmann's copy constructor recurses, and 5000 levels of it
  // overflow the stack under AddressSanitizer's larger frames.
  auto nest = [] {
    Json root = Json::array();
    Json* cur = &root;
    for (int i = 0; i < 5000; ++i) {
      cur->push_back(Json::array());
      cur = &(*cur)[0];
    }
    return root;
  };
  Json a = nest();
  Json b = nest();
  EXPECT_FALSE(PyEquals(a, b));  // beyond the depth limit: treated as unequal
  EXPECT_EQ(PyCompare(a, b), std::nullopt);
}

}  // namespace
}  // namespace chaosrun::jsonpath
