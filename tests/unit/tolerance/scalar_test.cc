// Boolean, integer, string, float and list tolerances (ctk-spec §5.2, §12.9, §12.10).
#include <gtest/gtest.h>

#include "test_util.h"

namespace chaosrun::tolerance::testing {
namespace {

TEST(BoolTolerance, PythonEquality) {
  EXPECT_TRUE(Eval(true, true).met);
  EXPECT_TRUE(Eval(false, false).met);
  EXPECT_TRUE(Eval(true, 1).met);  // True == 1
  EXPECT_TRUE(Eval(true, 1.0).met);
  EXPECT_TRUE(Eval(false, 0).met);
  EXPECT_FALSE(Eval(true, 2).met);
  EXPECT_FALSE(Eval(true, "true").met);
  EXPECT_FALSE(Eval(true, nullptr).met);
  Verdict v = Eval(true, ProcessOutput(0, "x"));  // a dict never equals a bool
  EXPECT_FALSE(v.met);
  EXPECT_FALSE(v.reason.empty());
}

TEST(IntTolerance, StatusExtractionAndNumericEquality) {
  EXPECT_TRUE(Eval(200, HttpOutput(200, "ok")).met);
  EXPECT_FALSE(Eval(200, HttpOutput(503, "ok")).met);
  EXPECT_TRUE(Eval(0, ProcessOutput(0, "")).met);
  EXPECT_TRUE(Eval(1, 1.0).met);
  EXPECT_TRUE(Eval(1, true).met);
  EXPECT_TRUE(Eval(0, J(R"({"status": 0.0})")).met);
  EXPECT_FALSE(Eval(1, "1").met);
  EXPECT_FALSE(Eval(2, J(R"({"code": 2})")).met);  // no status: the dict itself is compared
  EXPECT_TRUE(Eval(Json(18446744073709551615ull), Json(18446744073709551615ull)).met);
  Verdict v = Eval(200, HttpOutput(500, nullptr));
  EXPECT_NE(v.reason.find("500"), std::string::npos) << v.reason;
}

TEST(StringTolerance, ExactWithoutStatusExtraction) {
  EXPECT_TRUE(Eval("hello", "hello").met);
  EXPECT_FALSE(Eval("hello", "hello\n").met);
  EXPECT_FALSE(Eval("hello", "Hello").met);
  EXPECT_FALSE(Eval("200", 200).met);
  EXPECT_FALSE(Eval("0", ProcessOutput(0, "0")).met);  // a dict never equals a string
  EXPECT_TRUE(Eval("", "").met);
}

TEST(StringTolerance, IsSubstitutedAndMayBecomeTyped) {
  // "${expected}" -> int 200, then the integer rule (with status extraction).
  EXPECT_TRUE(Eval("${expected}", HttpOutput(200, "")).met);
  EXPECT_FALSE(Eval("${expected}", HttpOutput(404, "")).met);
  EXPECT_TRUE(Eval("${expected}", 200).met);
  EXPECT_FALSE(Eval("${expected}", "200").met);
  // Substituted inside text: stays a string.
  EXPECT_TRUE(Eval("is ${word}", "is ready").met);
  EXPECT_TRUE(Eval("${word}", "ready").met);
  // A list after substitution follows the list rule (status membership here).
  EXPECT_TRUE(Eval("${ok_codes}", HttpOutput(204, "")).met);
  EXPECT_FALSE(Eval("${ok_codes}", HttpOutput(500, "")).met);
  // Unknown names are left verbatim.
  EXPECT_TRUE(Eval("${nope}", "${nope}").met);
}

TEST(FloatTolerance, NeverMet) {
  Verdict v = Eval("${pi}", 3.5);  // only reachable through substitution
  EXPECT_FALSE(v.met);
  EXPECT_FALSE(v.reason.empty());
  EXPECT_FALSE(Eval(3.5, 3.5).met);
}

TEST(NullTolerance, NeverMet) { EXPECT_FALSE(Eval(nullptr, nullptr).met); }

TEST(ListTolerance, StatusMembershipWhenOutputHasStatus) {
  EXPECT_TRUE(Eval(J("[200, 201, 204]"), HttpOutput(204, "")).met);
  EXPECT_FALSE(Eval(J("[200, 201, 204]"), HttpOutput(500, "")).met);
  // Two elements with a status: still membership, not a range.
  EXPECT_FALSE(Eval(J("[200, 300]"), HttpOutput(250, "")).met);
  EXPECT_TRUE(Eval(J("[200, 300]"), HttpOutput(300, "")).met);
  EXPECT_TRUE(Eval(J("[0]"), ProcessOutput(0, "")).met);
  EXPECT_TRUE(Eval(J("[1.0, 2]"), J(R"({"status": true})")).met);
}

TEST(ListTolerance, TwoElementsAreAnInclusiveRange) {
  EXPECT_TRUE(Eval(J("[1, 5]"), 1).met);
  EXPECT_TRUE(Eval(J("[1, 5]"), 5).met);
  EXPECT_TRUE(Eval(J("[1, 5]"), 3.2).met);
  EXPECT_FALSE(Eval(J("[1, 5]"), 5.0001).met);
  EXPECT_FALSE(Eval(J("[1, 5]"), 0).met);
  EXPECT_TRUE(Eval(J("[0, 1]"), true).met);
  EXPECT_TRUE(Eval(J(R"(["a", "m"])"), "hello").met);  // strings compare lexicographically
  EXPECT_FALSE(Eval(J(R"(["a", "m"])"), "z").met);
  EXPECT_TRUE(Eval(J("[[1, 2], [1, 5]]"), J("[1, 3]")).met);  // lists compare lexicographically
}

TEST(ListTolerance, IncomparableTypesAreNotMetWithAReason) {  // D4: the reference crashes
  Verdict v = Eval(J("[1, 5]"), "3");
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("cannot compare"), std::string::npos) << v.reason;
  EXPECT_FALSE(Eval(J("[1, 5]"), nullptr).met);
  EXPECT_FALSE(Eval(J("[1, 5]"), J(R"({"a": 1})")).met);
  EXPECT_FALSE(Eval(J("[null, null]"), nullptr).met);
  EXPECT_FALSE(Eval(J(R"([1, "z"])"), 3).met);  // upper bound incomparable
  // Python short-circuits: 5 <= 3 is false, so the incomparable upper bound is never looked at.
  v = Eval(J(R"([5, "z"])"), 3);
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("below"), std::string::npos) << v.reason;
}

TEST(ListTolerance, OtherLengthsAreMembership) {
  EXPECT_TRUE(Eval(J(R"(["a", "b", "c"])"), "b").met);
  EXPECT_FALSE(Eval(J(R"(["a", "b", "c"])"), "d").met);
  EXPECT_TRUE(Eval(J("[1, 2, 3]"), 2.0).met);
  EXPECT_TRUE(Eval(J("[5]"), 5).met);
  EXPECT_FALSE(Eval(J("[]"), 5).met);
  EXPECT_TRUE(Eval(J(R"([{"a": 1, "b": 2}, 0, 0])"), J(R"({"b": 2, "a": 1})")).met);
  EXPECT_TRUE(Eval(J("[null, 1, 2]"), nullptr).met);
}

TEST(ObjectTolerance, UnknownTypeIsNotMet) {
  Verdict v = Eval(J(R"({"type": "nope"})"), 1);
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("unsupported"), std::string::npos);
  EXPECT_FALSE(Eval(J(R"({"status": 200})"), HttpOutput(200, "")).met);  // invalid in the wild
}

}  // namespace
}  // namespace chaosrun::tolerance::testing
