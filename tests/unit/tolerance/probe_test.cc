// `{type: probe}` tolerances (ctk-spec §5.2, §12.15).
#include <gtest/gtest.h>

#include "test_util.h"

namespace chaosrun::tolerance::testing {
namespace {

Json ProbeTolerance() {
  return J(R"({"type": "probe", "name": "check", "provider": {"type": "python",
               "module": "m", "func": "f", "arguments": {"limit": 3}}})");
}

TEST(ProbeTolerance, InjectsTheValueAndUsesTruthiness) {
  Json seen;
  ProbeRunner runner = [&](const Json& activity) -> std::optional<Json> {
    seen = activity;
    return activity["provider"]["arguments"]["value"].get<int>() <=
           activity["provider"]["arguments"]["limit"].get<int>();
  };
  Json t = ProbeTolerance();
  EXPECT_TRUE(Eval(t, 2, runner).met);
  EXPECT_EQ(seen["provider"]["arguments"], J(R"({"limit": 3, "value": 2})"));
  EXPECT_EQ(seen["name"], "check");
  EXPECT_FALSE(Eval(t, 5, runner).met);
  EXPECT_FALSE(t["provider"]["arguments"].contains("value"));  // the declaration is untouched
}

TEST(ProbeTolerance, TruthyResults) {
  auto returning = [](Json v) {
    return ProbeRunner([v](const Json&) -> std::optional<Json> { return v; });
  };
  EXPECT_TRUE(Eval(ProbeTolerance(), 1, returning(J(R"({"status": 0})"))).met);
  EXPECT_TRUE(Eval(ProbeTolerance(), 1, returning("x")).met);
  EXPECT_FALSE(Eval(ProbeTolerance(), 1, returning(0)).met);
  EXPECT_FALSE(Eval(ProbeTolerance(), 1, returning("")).met);
  EXPECT_FALSE(Eval(ProbeTolerance(), 1, returning(Json::array())).met);
  EXPECT_FALSE(Eval(ProbeTolerance(), 1, returning(nullptr)).met);
}

TEST(ProbeTolerance, FailuresAreNotMet) {
  ProbeRunner failing = [](const Json&) -> std::optional<Json> { return std::nullopt; };
  Verdict v = Eval(ProbeTolerance(), 1, failing);
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("failed"), std::string::npos);
  v = Eval(ProbeTolerance(), 1);  // no runner
  EXPECT_FALSE(v.met);
  EXPECT_FALSE(v.reason.empty());
  ProbeRunner throwing = [](const Json&) -> std::optional<Json> {
    throw std::runtime_error("boom");
  };
  v = Eval(ProbeTolerance(), 1, throwing);
  EXPECT_FALSE(v.met);
  EXPECT_NE(v.reason.find("boom"), std::string::npos);
}

TEST(ProbeTolerance, ArgumentsShapes) {
  ProbeRunner truthy = [](const Json& a) -> std::optional<Json> {
    return a["provider"]["arguments"]["value"];
  };
  Json t = ProbeTolerance();
  t["provider"].erase("arguments");  // created when missing
  EXPECT_TRUE(Eval(t, "v", truthy).met);
  t["provider"]["arguments"] = J(R"(["-c", "x"])");  // process-style list: cannot inject
  EXPECT_FALSE(Eval(t, "v", truthy).met);
  t.erase("provider");
  EXPECT_FALSE(Eval(t, "v", truthy).met);
}

}  // namespace
}  // namespace chaosrun::tolerance::testing
