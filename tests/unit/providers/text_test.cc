#include "providers/text.h"

#include <gtest/gtest.h>

namespace chaosrun::providers {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(TextTest, ValidUtf8IsUnchanged) {
  const std::string s = "plain\n\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  EXPECT_EQ(DecodeUtf8Lossy(s), s);
  EXPECT_EQ(DecodeUtf8Lossy(""), "");
}

TEST(TextTest, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(DecodeUtf8Lossy("a\xFF"
                            "b"),
            "a" + kFffd + "b");
  EXPECT_EQ(DecodeUtf8Lossy("\x80\x80"), kFffd + kFffd);
  // A truncated sequence is one maximal subpart: one replacement, then the next character.
  EXPECT_EQ(DecodeUtf8Lossy("\xE2\x82"
                            "x"),
            kFffd + "x");
  EXPECT_EQ(DecodeUtf8Lossy("end\xF0\x9F\x98"), "end" + kFffd);
  // Overlong encodings and surrogates are invalid (Python: one U+FFFD per byte here).
  EXPECT_EQ(DecodeUtf8Lossy("\xC0\xAF"), kFffd + kFffd);
  EXPECT_EQ(DecodeUtf8Lossy("\xED\xA0\x80"), kFffd + kFffd + kFffd);
  EXPECT_EQ(DecodeUtf8Lossy("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);
}

TEST(TextTest, Latin1) {
  EXPECT_EQ(DecodeLatin1("caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(DecodeLatin1("ascii"), "ascii");
}

}  // namespace
}  // namespace chaosrun::providers
