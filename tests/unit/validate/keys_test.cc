// Unknown keys: likely typos of known keys warn (errors under Options::strict) at every level the
// validator knows the keys of; a `driver` provider's keys are closed; a driver func must agree
// with its activity's type. The driver hook here is a stand-in that answers what the loaded
// drivers would (the real hook, MakeDriverCheck, is exercised by tests/integration/cli).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixtures.h"
#include "validate/internal.h"

namespace chaosrun::validate::testing {
namespace {

using internal::EditDistance;
using internal::LikelyKey;

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndTranspositions) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("duration", "duration"), 0u);
  EXPECT_EQ(EditDistance("duraton", "duration"), 1u);    // deletion
  EXPECT_EQ(EditDistance("durations", "duration"), 1u);  // insertion
  EXPECT_EQ(EditDistance("duratiom", "duration"), 1u);   // substitution
  EXPECT_EQ(EditDistance("duartion", "duration"), 1u);   // adjacent transposition
  EXPECT_EQ(EditDistance("tolerence", "tolerance"), 1u);
  EXPECT_EQ(EditDistance("steady-state-hypotesis", "steady-state-hypothesis"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("ca", "abc"), 3u);  // optimal string alignment, not full Damerau
}

TEST(LikelyKey, OneEditForShortKeysTwoForLongerNoneBelowFourBytes) {
  constexpr std::string_view kKnown[] = {"tags", "title", "duration", "url"};
  EXPECT_EQ(LikelyKey("tagz", kKnown), "tags");
  EXPECT_EQ(LikelyKey("titel", kKnown), "title");
  EXPECT_FALSE(LikelyKey("tzgz", kKnown));             // 2 edits from a 4-byte key
  EXPECT_EQ(LikelyKey("durtin", kKnown), "duration");  // 2 edits from a longer one
  EXPECT_FALSE(LikelyKey("dura", kKnown));
  EXPECT_FALSE(LikelyKey("tag", kKnown));  // too short to tell
  EXPECT_FALSE(LikelyKey("uri", kKnown));
  EXPECT_FALSE(LikelyKey("tags", kKnown));  // known
  EXPECT_FALSE(LikelyKey("metadata", kKnown));
}

// The base experiment (valid, every feature) with a patch, validated with the test options.
std::vector<Diagnostic> ValidatePatched(const char* patch, bool strict = false) {
  Options options = TestOptions();
  options.strict = strict;
  return Validate(Patched(patch), options);
}

struct TypoCase {
  const char* name;
  const char* patch;
  const char* pointer;
  const char* likely;
};

// clang-format off
const TypoCase kTypos[] = {
  {"TopLevel", R"([{"op":"move","from":"/steady-state-hypothesis","path":"/steady-state-hypotesis"}])", "/steady-state-hypotesis", "steady-state-hypothesis"},
  {"TopLevelRollbacks", R"([{"op":"move","from":"/rollbacks","path":"/rollback"}])", "/rollback", "rollbacks"},
  {"Runtime", R"([{"op":"move","from":"/runtime/rollbacks","path":"/runtime/rolbacks"}])", "/runtime/rolbacks", "rollbacks"},
  {"RuntimeStrategy", R"([{"op":"move","from":"/runtime/hypothesis/strategy","path":"/runtime/hypothesis/stratgy"}])", "/runtime/hypothesis/stratgy", "strategy"},
  {"Hypothesis", R"([{"op":"move","from":"/steady-state-hypothesis/probes","path":"/steady-state-hypothesis/probs"}])", "/steady-state-hypothesis/probs", "probes"},
  {"Activity", R"([{"op":"add","path":"/method/0/backgroud","value":true}])", "/method/0/backgroud", "background"},
  {"HypothesisProbe", R"([{"op":"add","path":"/steady-state-hypothesis/probes/0/tolerence","value":0}])", "/steady-state-hypothesis/probes/0/tolerence", "tolerance"},
  {"Pauses", R"([{"op":"move","from":"/method/0/pauses/before","path":"/method/0/pauses/befor"}])", "/method/0/pauses/befor", "before"},
  {"ProcessProvider", R"([{"op":"move","from":"/method/0/provider/timeout","path":"/method/0/provider/timout"}])", "/method/0/provider/timout", "timeout"},
  {"HttpProvider", R"([{"op":"move","from":"/method/2/provider/expected_status","path":"/method/2/provider/expect_status"}])", "/method/2/provider/expect_status", "expected_status"},
  {"Control", R"([{"op":"add","path":"/controls/0/automatc","value":true}])", "/controls/0/automatc", "automatic"},
  {"ControlProvider", R"([{"op":"add","path":"/controls/0/provider/argumnts","value":{}}])", "/controls/0/provider/argumnts", "arguments"},
  {"JsonPathTolerance", R"([{"op":"move","from":"/steady-state-hypothesis/probes/3/tolerance/count","path":"/steady-state-hypothesis/probes/3/tolerance/cuont"}])", "/steady-state-hypothesis/probes/3/tolerance/cuont", "count"},
  {"RegexTolerance", R"([{"op":"move","from":"/steady-state-hypothesis/probes/2/tolerance/target","path":"/steady-state-hypothesis/probes/2/tolerance/targt"}])", "/steady-state-hypothesis/probes/2/tolerance/targt", "target"},
  {"RangeTolerance", R"([{"op":"add","path":"/steady-state-hypothesis/probes/4/tolerance/ranges","value":[0, 1]}])", "/steady-state-hypothesis/probes/4/tolerance/ranges", "range"},
};
// clang-format on

class Typo : public ::testing::TestWithParam<TypoCase> {};

TEST_P(Typo, WarnsNamingTheLikelyKey) {
  const TypoCase& c = GetParam();
  const auto all = ValidatePatched(c.patch);
  const auto at = At(all, c.pointer);
  ASSERT_TRUE(at.has_value()) << Describe(all);
  EXPECT_TRUE(at->warning);
  EXPECT_EQ(at->ToString(),
            std::string(c.pointer) + ": warning: unknown key; did you mean '" + c.likely + "'?");
}

TEST_P(Typo, IsAnErrorUnderStrict) {
  const TypoCase& c = GetParam();
  const auto all = ValidatePatched(c.patch, /*strict=*/true);
  const auto at = At(all, c.pointer);
  ASSERT_TRUE(at.has_value()) << Describe(all);
  EXPECT_FALSE(at->warning);
  EXPECT_EQ(at->ToString(),
            std::string(c.pointer) + ": unknown key; did you mean '" + c.likely + "'?");
  EXPECT_TRUE(HasErrors(all));
}

INSTANTIATE_TEST_SUITE_P(Keys, Typo, ::testing::ValuesIn(kTypos),
                         [](const ::testing::TestParamInfo<TypoCase>& test) {
                           return std::string(test.param.name);
                         });

TEST(UnknownKeys, FarFromAnyKnownKeyStaySilentEvenUnderStrict) {
  // Chaos Toolkit keeps unknown keys (and copies them into the journal): extensions are legal.
  const char* patch = R"([
    {"op":"add","path":"/x-owner","value":"team-a"},
    {"op":"add","path":"/dry_run","value":false},
    {"op":"add","path":"/method/0/metadata","value":{}},
    {"op":"add","path":"/method/0/provider/env","value":{}},
    {"op":"add","path":"/steady-state-hypothesis/extra","value":1}])";
  for (bool strict : {false, true}) {
    const auto all = ValidatePatched(patch, strict);
    EXPECT_TRUE(all.size() == ValidatePatched("[]", strict).size()) << Describe(all);
    EXPECT_FALSE(HasErrors(all)) << Describe(all);
  }
}

TEST(UnknownKeys, TheBaseExperimentHasNoTypos) {
  const auto all = ValidatePatched("[]", /*strict=*/true);
  EXPECT_FALSE(HasErrors(all)) << Describe(all);
  for (const Diagnostic& d : all) EXPECT_EQ(d.message.find("unknown key"), std::string::npos);
}

TEST(UnknownKeys, AReferenceKeepsItsOtherKeysUnchecked) {
  // The reference ignores every key of a ref but `ref`.
  const auto all = ValidatePatched(R"([{"op":"add","path":"/method/1/nmae","value":"x"}])", true);
  EXPECT_FALSE(At(all, "/method/1/nmae").has_value()) << Describe(all);
}

// A document with one method activity of `type` whose provider is `provider`, validated with a
// driver hook that knows driver "process": action "stop", probe "running".
std::vector<Diagnostic> ValidateDriver(const std::string& type, const std::string& provider) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [
    {"type": ")" + type + R"(", "name": "one", "provider": )" +
                               provider + "}]}");
  Options options = TestOptions();
  options.check_driver = [](const Json& p, const std::string&, const std::string&,
                            std::vector<Diagnostic>&) {
    const std::string func = p.value("func", "");
    if (p.value("driver", "") != "process") return DriverFunc::kUnknown;
    if (func == "stop") return DriverFunc::kAction;
    if (func == "running") return DriverFunc::kProbe;
    return DriverFunc::kUnknown;
  };
  return Validate(doc, options);
}

TEST(DriverProvider, AnActionInAProbeIsInvalid) {
  const auto errors = Errors(ValidateDriver(
      "probe", R"({"type": "driver", "driver": "process", "func": "stop", "arguments": {}})"));
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].ToString(),
            "/method/0/provider/func: 'stop' is an action of driver 'process'; this activity is "
            "a probe");
}

TEST(DriverProvider, AProbeInAnActionIsInvalid) {
  const auto errors = Errors(
      ValidateDriver("action", R"({"type": "driver", "driver": "process", "func": "running"})"));
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].ToString(),
            "/method/0/provider/func: 'running' is a probe of driver 'process'; this activity is "
            "an action");
}

TEST(DriverProvider, MatchingKindsAndUnknownFuncsAddNoKindError) {
  EXPECT_FALSE(HasErrors(
      ValidateDriver("action", R"({"type": "driver", "driver": "process", "func": "stop"})")));
  EXPECT_FALSE(HasErrors(
      ValidateDriver("probe", R"({"type": "driver", "driver": "process", "func": "running"})")));
  // Unknown to the hook: the hook reports it (here it says nothing), no kind error on top.
  EXPECT_FALSE(HasErrors(
      ValidateDriver("probe", R"({"type": "driver", "driver": "other", "func": "stop"})")));
}

TEST(DriverProvider, AnUnknownKeyIsAnErrorNamingIt) {
  const auto errors = Errors(ValidateDriver(
      "action",
      R"({"type": "driver", "driver": "process", "func": "stop", "duraton": 30, "color": "red"})"));
  ASSERT_EQ(errors.size(), 2u) << Describe(errors);
  EXPECT_EQ(errors[0].ToString(),
            "/method/0/provider/duraton: unknown key 'duraton' in a driver provider (the keys are "
            "type, driver, func, arguments, duration); did you mean 'duration'?");
  EXPECT_EQ(errors[1].ToString(),
            "/method/0/provider/color: unknown key 'color' in a driver provider (the keys are "
            "type, driver, func, arguments, duration)");
}

TEST(DriverProvider, KeysAreCheckedWithoutAnyDriverLoaded) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [
    {"type": "action", "name": "one", "provider": {"type": "driver", "driver": "process",
     "func": "stop", "duraton": 30}}]})");
  const auto all = Validate(doc, TestOptions());
  ASSERT_TRUE(At(all, "/method/0/provider/duraton").has_value()) << Describe(all);
  EXPECT_FALSE(At(all, "/method/0/provider/duraton")->warning);
}

}  // namespace
}  // namespace chaosrun::validate::testing
