// Escaping, truncation and times: the text the report writes.
#include <gtest/gtest.h>

#include "report/html.h"
#include "report/time_text.h"

namespace chaosrun::report {
namespace {

TEST(EscapeTest, EscapesMarkupQuotesAndAmpersands) {
  EXPECT_EQ(Escape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
  EXPECT_EQ(Escape("&amp;"), "&amp;amp;");
}

TEST(EscapeTest, KeepsUtf8AndWhitespaceAndReplacesWhatXmlCannotHold) {
  EXPECT_EQ(Escape("café → 日本 😀\t\n"), "café → 日本 😀\t\n");
  EXPECT_EQ(Escape(std::string("a\x01"
                               "b\x7f",
                               4)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(Escape(std::string("\xC3", 1)), "\xEF\xBF\xBD");                  // cut sequence
  EXPECT_EQ(Escape(std::string("\xC0\xAF", 2)), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(Escape(std::string("\xED\xA0\x80", 3)).find("\xED"), std::string::npos);  // surrogate
  EXPECT_EQ(Escape(std::string("\0", 1)), "\xEF\xBF\xBD");
}

TEST(TruncateTest, NeverCutsACharacter) {
  bool cut = false;
  EXPECT_EQ(TruncateUtf8("héllo", 2, &cut), "hé");
  EXPECT_TRUE(cut);
  EXPECT_EQ(TruncateUtf8("hé", 5, &cut), "hé");
  EXPECT_FALSE(cut);
  EXPECT_EQ(TruncateUtf8("", 3, &cut), "");
  EXPECT_FALSE(cut);
}

TEST(TokenTest, KeepsOnlyIdCharacters) { EXPECT_EQ(Token("alert fired/<x>"), "alert-fired--x-"); }

TEST(TimeTest, ParsesTheJournalsTimeForms) {
  EXPECT_DOUBLE_EQ(*ParseIsoTime("1970-01-01T00:00:00+00:00"), 0);
  EXPECT_DOUBLE_EQ(*ParseIsoTime("1970-01-02T00:00:01Z"), 86401);
  EXPECT_NEAR(*ParseIsoTime("2026-11-27T17:21:19.789216+00:00"), 1795800079.789216, 1e-5);
  EXPECT_NEAR(*ParseIsoTime("2026-11-27T18:21:19.789216+01:00"), 1795800079.789216, 1e-5);
  EXPECT_NEAR(*ParseIsoTime("2018-02-05T10:32:53.123"), 1517826773.123, 1e-5);  // naive = UTC
  EXPECT_DOUBLE_EQ(*ParseIsoTime("2000-03-01 00:00:00"), 951868800);
}

TEST(TimeTest, RejectsAnythingElse) {
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00", "2026-11-27", "2026-11-27T1:2:3",
                          "2026-11-27T17:21:19.+00:00", "2026-11-27T17:21:19 trailing"}) {
    EXPECT_FALSE(ParseIsoTime(bad)) << bad;
  }
}

TEST(TimeTest, FormatsDurationsAndTimesForPeople) {
  EXPECT_EQ(FormatDuration(0.85), "850 ms");
  EXPECT_EQ(FormatDuration(1.25), "1.25 s");
  EXPECT_EQ(FormatDuration(12.34), "12.3 s");
  EXPECT_EQ(FormatDuration(125), "2 min 05 s");
  EXPECT_EQ(FormatDuration(3720), "1 h 02 min");
  EXPECT_EQ(FormatDuration(NAN), "—");
  EXPECT_EQ(FormatUtc(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(FormatUtc(1795800079.7), "2026-11-27 17:21:19 UTC");
  EXPECT_EQ(FormatUtc(NAN), "—");
}

}  // namespace
}  // namespace chaosrun::report
