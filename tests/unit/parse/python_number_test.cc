#include "parse/python_number.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace chaosrun::parse {
namespace {

TEST(PythonInt, AcceptsWhatPythonIntAccepts) {
  EXPECT_EQ(*PythonInt("12"), Json(12));
  EXPECT_EQ(*PythonInt(" \t12\n "), Json(12));
  EXPECT_EQ(*PythonInt("+5"), Json(5));
  EXPECT_EQ(*PythonInt("-5"), Json(-5));
  EXPECT_EQ(*PythonInt("1_000"), Json(1000));
  EXPECT_EQ(*PythonInt("007"), Json(7));
  EXPECT_EQ(*PythonInt("18446744073709551615"), Json(18446744073709551615u));
  EXPECT_EQ(*PythonInt("-9223372036854775808"), Json(std::numeric_limits<int64_t>::min()));
  EXPECT_TRUE(PythonInt("5")->is_number_unsigned());
  EXPECT_TRUE(PythonInt("-5")->is_number_integer());
}

TEST(PythonInt, RefusesWhatPythonIntRefuses) {
  for (const char* bad :
       {"", " ", "1__0", "_1", "1_", "0x10", "1.0", "1e3", "+-1", "- 1", "abc", "1 2"}) {
    auto r = PythonInt(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), std::string("invalid literal for int() with base 10: '") + bad + "'");
  }
}

TEST(PythonInt, BeyondSixtyFourBitsIsRefused) {
  EXPECT_FALSE(PythonInt("18446744073709551616"));
  EXPECT_FALSE(PythonInt("-9223372036854775809"));
  EXPECT_TRUE(PythonInt("-9223372036854775809").error().starts_with("integer too large"));
}

TEST(PythonFloat, AcceptsWhatPythonFloatAccepts) {
  EXPECT_EQ(*PythonFloat("1.5"), 1.5);
  EXPECT_EQ(*PythonFloat(" 2 "), 2.0);
  EXPECT_EQ(*PythonFloat("1e5"), 1e5);
  EXPECT_EQ(*PythonFloat("-1E-2"), -0.01);
  EXPECT_EQ(*PythonFloat("1_0.5"), 10.5);
  EXPECT_EQ(*PythonFloat(".5"), 0.5);
  EXPECT_EQ(*PythonFloat("5."), 5.0);
  EXPECT_EQ(*PythonFloat("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(*PythonFloat("-Infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(*PythonFloat("NaN")));
  EXPECT_EQ(*PythonFloat("1e400"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(*PythonFloat("1e-400"), 0.0);
  EXPECT_EQ(*PythonFloat("0.1"), 0.1);
}

TEST(PythonFloat, RefusesWhatPythonFloatRefuses) {
  for (const char* bad : {"", ".", "e5", "1e", "1e+", "0x1p3", "1..2", "1_", "_1", "1__0",
                          "infinit", "nan1", "1,5", "- 1"}) {
    auto r = PythonFloat(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), std::string("could not convert string to float: '") + bad + "'");
  }
}

}  // namespace
}  // namespace chaosrun::parse
