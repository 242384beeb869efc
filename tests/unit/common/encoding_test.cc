#include "common/encoding.h"

#include <gtest/gtest.h>

namespace chaosrun {
namespace {

// Expected values from Python's base64 and urllib.parse.
TEST(Base64Encode, StandardAndUrlSafeWithAndWithoutPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("M"), "TQ==");
  EXPECT_EQ(Base64Encode("Ma"), "TWE=");
  EXPECT_EQ(Base64Encode("Man"), "TWFu");
  EXPECT_EQ(Base64Encode("ab>?"), "YWI+Pw==");
  EXPECT_EQ(Base64Encode("ab>?", Base64Alphabet::kUrlSafe), "YWI-Pw==");
  EXPECT_EQ(Base64Encode("ab>?", Base64Alphabet::kUrlSafe, /*pad=*/false), "YWI-Pw");
  EXPECT_EQ(Base64Encode("alice:s3cr3t pass/word+x?"), "YWxpY2U6czNjcjN0IHBhc3Mvd29yZCt4Pw==");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3), Base64Alphabet::kUrlSafe), "__4A");
}

TEST(PercentEncode, SpaceAsPercentOrPlus) {
  EXPECT_EQ(PercentEncode("s3cr3t pass/word+x?", false), "s3cr3t%20pass%2Fword%2Bx%3F");
  EXPECT_EQ(PercentEncode("s3cr3t pass/word+x?", true), "s3cr3t+pass%2Fword%2Bx%3F");
  EXPECT_EQ(PercentEncode("a-b_c.d~e", false), "a-b_c.d~e");
  EXPECT_EQ(PercentEncode("\xc3\xa9", false), "%C3%A9");
}

TEST(PercentDecode, DecodesEscapesAndRefusesMalformedOnes) {
  EXPECT_EQ(PercentDecode("p%40ss%3aw%2Bx+y"), "p@ss:w+x+y");
  EXPECT_EQ(PercentDecode("plain"), "plain");
  EXPECT_EQ(PercentDecode("bad%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("bad%zz"), std::nullopt);
}

}  // namespace
}  // namespace chaosrun
