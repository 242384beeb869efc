// `{type: range}` tolerances (ctk-spec §5.2, §12.19, D4).
#include <gtest/gtest.h>

#include "test_util.h"

namespace chaosrun::tolerance::testing {
namespace {

Json Range(Json lo, Json hi, const char* target = nullptr) {
  Json t{{"type", "range"}, {"range", Json::array({std::move(lo), std::move(hi)})}};
  if (target != nullptr) t["target"] = target;
  return t;
}

TEST(RangeTolerance, InclusiveOnNumbers) {
  EXPECT_TRUE(Eval(Range(1, 5), 1).met);
  EXPECT_TRUE(Eval(Range(1, 5), 5).met);
  EXPECT_TRUE(Eval(Range(1, 5), 2.5).met);
  EXPECT_FALSE(Eval(Range(1, 5), 0).met);
  EXPECT_FALSE(Eval(Range(1, 5), 5.000000001).met);
  EXPECT_TRUE(Eval(Range(-5, -1), -3).met);
  EXPECT_TRUE(Eval(Range(0, 1), true).met);
  EXPECT_TRUE(Eval(Range(false, true), 1).met);  // booleans count as numbers
}

TEST(RangeTolerance, NumericStringsWithWhitespace) {
  EXPECT_TRUE(Eval(Range(0, 100), "42\n").met);
  EXPECT_TRUE(Eval(Range(0, 100), "  42.5  ").met);
  EXPECT_TRUE(Eval(Range(0, 100), "1e2").met);
  EXPECT_FALSE(Eval(Range(0, 100), "1e3").met);
  EXPECT_TRUE(Eval(Range(0, 10000), "1_000").met);
  EXPECT_TRUE(Eval(Range(-1, 1), "-0").met);
  EXPECT_TRUE(Eval(Range(0, 1), ".5").met);
  Verdict v = Eval(Range(0, 100), "forty-two");
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("not a number"), std::string::npos) << v.reason;
  EXPECT_FALSE(Eval(Range(0, 100), "").met);
  EXPECT_FALSE(Eval(Range(0, 100), "Infinity").met);
  EXPECT_TRUE(Eval(Range(-1, 1e308), "0").met);
}

TEST(RangeTolerance, FloatBoundsAreExactBinaryValues) {
  // Decimal(0.3) = 0.299999999999999988897769753748434595763683319091796875 < Decimal("0.3").
  Verdict v = Eval(Range(0.1, 0.3), "0.3");
  EXPECT_FALSE(v.met);
  EXPECT_TRUE(Eval(Range(0.1, 0.3), "0.29999999999999998889776975374843459576368331909").met);
  EXPECT_FALSE(Eval(Range(0.1, 0.3), "0.299999999999999988897769753748434595763683319092").met);
  // Decimal(0.1) = 0.1000000000000000055511151231257827... > Decimal("0.1").
  EXPECT_FALSE(Eval(Range(0.1, 0.3), "0.1").met);
  EXPECT_TRUE(
      Eval(Range(0.1, 0.3), "0.10000000000000000555111512312578270211815834045410156250").met);
  // A float value is exact too, so it meets its own bounds.
  EXPECT_TRUE(Eval(Range(0.1, 0.3), 0.3).met);
  EXPECT_TRUE(Eval(Range(0.1, 0.3), 0.1).met);
  // Integer bounds are exact, including large ones.
  EXPECT_TRUE(Eval(Range(0, 9007199254740993LL), "9007199254740993").met);
  EXPECT_FALSE(Eval(Range(0, 9007199254740993LL), "9007199254740994").met);
  EXPECT_TRUE(Eval(Range(0, Json(18446744073709551615ull)), "18446744073709551615").met);
  EXPECT_TRUE(Eval(Range(0, 0.5), "0.5").met);  // 0.5 is exact in binary
}

TEST(RangeTolerance, TargetWithoutStatusExtraction) {
  EXPECT_TRUE(Eval(Range(0, 10, "stdout"), ProcessOutput(0, "7\n")).met);
  EXPECT_FALSE(Eval(Range(0, 10, "stdout"), ProcessOutput(0, "70\n")).met);
  // No target on a dict with status: no automatic extraction (not met, no crash).
  Verdict v = Eval(Range(0, 10), ProcessOutput(0, "7"));
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("object"), std::string::npos) << v.reason;
}

TEST(RangeTolerance, NullAndContainersAreNotMetWithAReason) {  // D4: the reference crashes
  Verdict v = Eval(Range(0, 10), nullptr);
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("null"), std::string::npos) << v.reason;
  EXPECT_FALSE(Eval(Range(0, 10), J("[1]")).met);
  EXPECT_FALSE(Eval(Range(0, 10, "missing"), ProcessOutput(0, "1")).met);
  EXPECT_FALSE(Eval(Range(0, 10, "stdout"), "5").met);  // target on a non-object
  EXPECT_FALSE(Eval(Range(0, 10), "NaN").met);
  EXPECT_FALSE(Eval(Range(0, 10), "sNaN").met);
}

TEST(RangeTolerance, MalformedRangesAreNotMet) {
  EXPECT_FALSE(Eval(J(R"({"type": "range"})"), 1).met);
  EXPECT_FALSE(Eval(J(R"({"type": "range", "range": [1]})"), 1).met);
  EXPECT_FALSE(Eval(J(R"({"type": "range", "range": [1, "5"]})"), 1).met);
  EXPECT_FALSE(Eval(J(R"({"type": "range", "range": "1-5"})"), 1).met);
}

}  // namespace
}  // namespace chaosrun::tolerance::testing
