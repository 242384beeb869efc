// `{type: regex}` tolerances and CheckRegex (ctk-spec §5.2, D4).
#include <gtest/gtest.h>

#include "test_util.h"

namespace chaosrun::tolerance::testing {
namespace {

Json Regex(const char* pattern, const char* target = nullptr) {
  Json t{{"type", "regex"}, {"pattern", pattern}};
  if (target != nullptr) t["target"] = target;
  return t;
}

TEST(RegexTolerance, SearchesRatherThanFullMatch) {
  EXPECT_TRUE(Eval(Regex("ready"), "service is ready now").met);
  EXPECT_TRUE(Eval(Regex("^service"), "service is ready").met);
  EXPECT_FALSE(Eval(Regex("^ready"), "service is ready").met);
  EXPECT_TRUE(Eval(Regex("[0-9]+ms"), "took 35ms").met);
  EXPECT_FALSE(Eval(Regex("ready"), "").met);
}

TEST(RegexTolerance, TargetExtraction) {
  EXPECT_TRUE(Eval(Regex("^OK", "stdout"), ProcessOutput(0, "OK\n")).met);
  EXPECT_FALSE(Eval(Regex("^OK", "stdout"), ProcessOutput(0, "FAIL\n")).met);
  EXPECT_TRUE(Eval(Regex("hello", "body"), HttpOutput(200, "say hello")).met);
  // A missing key falls back to the whole output (here an object: not met, no crash).
  Verdict v = Eval(Regex("x", "missing"), ProcessOutput(0, "x"));
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("object"), std::string::npos) << v.reason;
  // A target on a string output applies to the string itself.
  EXPECT_TRUE(Eval(Regex("abc", "stdout"), "xabcx").met);
}

TEST(RegexTolerance, NonStringValueIsNotMetWithAReason) {  // D4: the reference crashes
  Verdict v = Eval(Regex("0"), ProcessOutput(0, "0"));
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("string"), std::string::npos) << v.reason;
  EXPECT_FALSE(Eval(Regex("1"), 1).met);
  EXPECT_FALSE(Eval(Regex("null"), nullptr).met);
  EXPECT_FALSE(Eval(Regex("x", "body"), HttpOutput(200, J(R"({"x": 1})"))).met);
}

TEST(RegexTolerance, PatternIsSubstituted) {
  EXPECT_TRUE(Eval(Regex("${pattern}"), "up and running").met);
  EXPECT_TRUE(Eval(Regex("is ${word}$"), "it is ready").met);
  Verdict v = Eval(Regex("${expected}"), "200");  // typed int pattern: not met, no crash
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("integer"), std::string::npos) << v.reason;
}

TEST(RegexTolerance, PythonSyntax) {
  EXPECT_TRUE(Eval(Regex(R"((?P<code>\d{3}) (?P=code))"), "got 200 200").met);
  EXPECT_TRUE(Eval(Regex(R"(done\Z)"), "all done").met);
  EXPECT_FALSE(Eval(Regex(R"(done\Z)"), "all done\n").met);  // Python \Z is the absolute end
  EXPECT_TRUE(Eval(Regex("done$"), "all done\n").met);       // $ allows a final newline
  EXPECT_TRUE(Eval(Regex(R"(\u00e9t\u00E9)"), "été").met);
  EXPECT_TRUE(Eval(Regex(R"(\U0001F600)"), "smile 😀").met);
  EXPECT_TRUE(Eval(Regex(R"(^\w+$)"), "héllo").met);  // \w is Unicode-aware
  EXPECT_TRUE(Eval(Regex(R"(^\d$)"), "٣").met);       // so is \d
  EXPECT_TRUE(Eval(Regex("^.{5}$"), "héllo").met);    // . is one code point
  EXPECT_TRUE(Eval(Regex("(?i)READY"), "ready").met);
  EXPECT_FALSE(Eval(Regex("a.b"), "a\nb").met);
  EXPECT_TRUE(Eval(Regex("(?s)a.b"), "a\nb").met);
  EXPECT_TRUE(Eval(Regex("(?m)^b$"), "a\nb\nc").met);
  // `[` inside a class is a literal in Python, not the start of [:alpha:].
  EXPECT_TRUE(Eval(Regex("^[[:a]+$"), ":a[").met);
  EXPECT_FALSE(Eval(Regex("^[[:alpha:]]$"), "x").met);
  EXPECT_TRUE(Eval(Regex("^[]a]+$"), "]a").met);
}

TEST(RegexTolerance, InvalidPatternIsNotMet) {
  Verdict v = Eval(Regex("(unclosed"), "x");
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("invalid"), std::string::npos) << v.reason;
  EXPECT_FALSE(Eval(J(R"({"type": "regex"})"), "x").met);
  EXPECT_FALSE(Eval(J(R"({"type": "regex", "pattern": null})"), "x").met);
}

TEST(RegexTolerance, CatastrophicBacktrackingIsBounded) {
  std::string subject(40, 'a');
  subject += "!";
  Verdict v = Eval(Regex("^(a+)+$"), subject);
  EXPECT_FALSE(v.met);
}

TEST(CheckRegex, ReportsWhyAndWhere) {
  EXPECT_TRUE(CheckRegex("^[a-z]+(?P<n>\\d)?$").ok());
  Status s = CheckRegex("abc(def");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("position 7"), std::string::npos) << s.message();
  s = CheckRegex("ab[c");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("position"), std::string::npos) << s.message();
  EXPECT_FALSE(CheckRegex("a{2,1}").ok());
  EXPECT_FALSE(CheckRegex("\\").ok());
  EXPECT_FALSE(CheckRegex(std::string("\xff", 1)).ok());  // not UTF-8
}

}  // namespace
}  // namespace chaosrun::tolerance::testing
