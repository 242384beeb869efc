// The catalogue of invalid experiments: each case edits the valid base experiment (fixtures.h)
// with an RFC 6902 patch and names the one diagnostic it must produce, by exact pointer.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "fixtures.h"

namespace chaosrun::validate::testing {
namespace {

struct Case {
  const char* name;
  const char* patch;
  const char* pointer;
  const char* message;  // a substring of the expected message
  bool warning = false;
  int errors = 1;  // total errors expected (warnings excluded); -1 = don't check
};

// clang-format off
const Case kCases[] = {
  // Top level (§10 steps 2-5).
  {"MissingTitle", R"([{"op":"remove","path":"/title"}])", "/title", "experiment requires a title"},
  {"EmptyTitle", R"([{"op":"replace","path":"/title","value":""}])", "/title", "experiment requires a title"},
  {"TitleNotString", R"([{"op":"replace","path":"/title","value":5}])", "/title", "experiment title must be a string"},
  {"MissingDescription", R"([{"op":"remove","path":"/description"}])", "/description", "experiment requires a description"},
  {"DescriptionList", R"([{"op":"replace","path":"/description","value":["d"]}])", "/description", "experiment description must be a string"},
  {"EmptyTag", R"([{"op":"replace","path":"/tags/1","value":""}])", "/tags/1", "experiment tags must be a non-empty string"},
  {"TagNotString", R"([{"op":"add","path":"/tags/-","value":3}])", "/tags/2", "experiment tags must be a non-empty string"},
  {"TagsNotList", R"([{"op":"replace","path":"/tags","value":"demo"}])", "/tags", "must be a list"},
  {"ExtensionBlankName", R"([{"op":"replace","path":"/extensions/0/name","value":"  "}])", "/extensions/0/name", "All extensions require a non-empty name"},
  {"ExtensionWithoutName", R"([{"op":"add","path":"/extensions/-","value":{"x":1}}])", "/extensions/1/name", "All extensions require a non-empty name"},
  {"ExtensionNameNumber", R"([{"op":"replace","path":"/extensions/0/name","value":1}])", "/extensions/0/name", "All extensions require a non-empty name"},
  {"ExtensionNotObject", R"([{"op":"add","path":"/extensions/-","value":"report"}])", "/extensions/1", "an extension must be an object"},
  {"ExtensionsNotList", R"([{"op":"replace","path":"/extensions","value":{"name":"x"}}])", "/extensions", "must be a list"},
  // Configuration and secrets (§10 steps 6-7).
  {"ConfigurationEnvMissing", R"([{"op":"add","path":"/configuration/url","value":{"type":"env","key":"APP_URL"}}])",
   "/configuration/url", "Configuration makes reference to an environment key that does not exist: APP_URL"},
  {"ConfigurationNotMapping", R"([{"op":"replace","path":"/configuration","value":["a"]}])", "/configuration", "configuration must be a mapping", false, -1},
  {"SecretEnvMissing", R"([{"op":"add","path":"/secrets/api/other","value":{"type":"env","key":"OTHER"}}])",
   "/secrets/api/other", "Secrets make reference to an environment key that does not exist: OTHER"},
  {"SecretScopeNotMapping", R"([{"op":"add","path":"/secrets/db","value":"x"}])", "/secrets/db", "a secrets scope must be a mapping"},
  {"SecretsNotMapping", R"([{"op":"replace","path":"/secrets","value":3}])", "/secrets", "secrets must be a mapping"},
  {"VaultKeyWithoutPathWarns", R"([{"op":"add","path":"/secrets/v","value":{"pw":{"type":"vault","key":"k"}}}])", "/secrets/v/pw", "deprecated", true, -1},
  // Hypothesis (§10 step 8).
  {"HypothesisNotMapping", R"([{"op":"replace","path":"/steady-state-hypothesis","value":[1]}])", "/steady-state-hypothesis", "must be a mapping", false, -1},
  {"HypothesisWithoutTitle", R"([{"op":"remove","path":"/steady-state-hypothesis/title"}])", "/steady-state-hypothesis/title", "hypothesis requires a title"},
  {"HypothesisTitleNumber", R"([{"op":"replace","path":"/steady-state-hypothesis/title","value":1}])", "/steady-state-hypothesis/title", "hypothesis title must be a string"},
  {"HypothesisProbesNotList", R"([{"op":"replace","path":"/steady-state-hypothesis/probes","value":{"a":1}}])", "/steady-state-hypothesis/probes", "must be a list", false, -1},
  {"ProbeWithoutTolerance", R"([{"op":"remove","path":"/steady-state-hypothesis/probes/0/tolerance"}])", "/steady-state-hypothesis/probes/0/tolerance", "hypothesis probe must have a tolerance entry"},
  {"HypothesisActionWarns", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/0/type","value":"action"}])", "/steady-state-hypothesis/probes/0/type", "should be a probe", true, 0},
  {"HypothesisDanglingRef", R"([{"op":"add","path":"/steady-state-hypothesis/probes/-","value":{"ref":"nope","tolerance":true}}])", "/steady-state-hypothesis/probes/5/ref", "referenced activity 'nope' could not be found"},
  // Tolerances (§5.1).
  {"ToleranceFloat", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/0/tolerance","value":0.5}])", "/steady-state-hypothesis/probes/0/tolerance", "must either be an integer, a string, a boolean"},
  {"ToleranceNull", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/0/tolerance","value":null}])", "/steady-state-hypothesis/probes/0/tolerance", "must either be an integer, a string, a boolean"},
  {"ToleranceUnknownType", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/0/tolerance","value":{"type":"glob"}}])", "/steady-state-hypothesis/probes/0/tolerance/type", "hypothesis probe tolerance type 'glob' is unsupported"},
  {"ToleranceWithoutType", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/0/tolerance","value":{"status":200}}])", "/steady-state-hypothesis/probes/0/tolerance/type", "hypothesis probe tolerance type 'None' is unsupported"},
  {"RegexWithoutPattern", R"([{"op":"remove","path":"/steady-state-hypothesis/probes/2/tolerance/pattern"}])", "/steady-state-hypothesis/probes/2/tolerance/pattern", "must have a `pattern` key"},
  {"RegexNullPattern", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/2/tolerance/pattern","value":null}])", "/steady-state-hypothesis/probes/2/tolerance/pattern", "pattern None has an invalid type"},
  {"RegexBadPattern", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/2/tolerance/pattern","value":"(unclosed"}])", "/steady-state-hypothesis/probes/2/tolerance/pattern", "pattern (unclosed seems invalid"},
  {"RegexBadAfterSubstitution", R"([{"op":"replace","path":"/configuration/pattern","value":"[a-"}])", "/steady-state-hypothesis/probes/2/tolerance/pattern", "pattern [a- seems invalid"},
  {"RegexTargetNumber", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/2/tolerance/target","value":1}])", "/steady-state-hypothesis/probes/2/tolerance/target", "target must be a string"},
  {"JsonPathWithoutPath", R"([{"op":"remove","path":"/steady-state-hypothesis/probes/3/tolerance/path"}])", "/steady-state-hypothesis/probes/3/tolerance/path", "must have a `path` key"},
  {"JsonPathBlank", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/3/tolerance/path","value":"  "}])", "/steady-state-hypothesis/probes/3/tolerance/path", "JSON path cannot be empty"},
  {"JsonPathNumber", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/3/tolerance/path","value":3}])", "/steady-state-hypothesis/probes/3/tolerance/path", "JSON path 3 has an invalid type"},
  {"JsonPathInvalid", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/3/tolerance/path","value":"$.items[?(@.a=="}])", "/steady-state-hypothesis/probes/3/tolerance/path", "JSON path $.items[?(@.a== is invalid"},
  {"JsonPathInvalidAfterSubstitution", R"([{"op":"replace","path":"/configuration/items_path","value":"items["}])", "/steady-state-hypothesis/probes/3/tolerance/path", "JSON path items[ is invalid"},
  {"JsonPathNegativeCount", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/3/tolerance/count","value":-1}])", "/steady-state-hypothesis/probes/3/tolerance/count", "non-negative integer"},
  {"RangeMissing", R"([{"op":"remove","path":"/steady-state-hypothesis/probes/4/tolerance/range"}])", "/steady-state-hypothesis/probes/4/tolerance/range", "must have a `range` key"},
  {"RangeNotList", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/4/tolerance/range","value":"0-1"}])", "/steady-state-hypothesis/probes/4/tolerance/range", "hypothesis range must be a sequence"},
  {"RangeThreeValues", R"([{"op":"add","path":"/steady-state-hypothesis/probes/4/tolerance/range/-","value":2}])", "/steady-state-hypothesis/probes/4/tolerance/range", "must be made of two values"},
  {"RangeLowerString", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/4/tolerance/range/0","value":"0"}])", "/steady-state-hypothesis/probes/4/tolerance/range/0", "lower boundary must be a number"},
  {"RangeUpperNull", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/4/tolerance/range/1","value":null}])", "/steady-state-hypothesis/probes/4/tolerance/range/1", "upper boundary must be a number"},
  {"ProbeToleranceWithoutName", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/0/tolerance","value":{"type":"probe","provider":{"type":"process","path":"true"}}}])", "/steady-state-hypothesis/probes/0/tolerance/name", "an activity must have a name"},
  {"ProbeToleranceRef", R"([{"op":"replace","path":"/steady-state-hypothesis/probes/0/tolerance","value":{"type":"probe","ref":"alive"}}])", "/steady-state-hypothesis/probes/0/tolerance/ref", "must be a full activity"},
  // Method and rollbacks (§10 steps 9-12).
  {"MethodMissing", R"([{"op":"remove","path":"/method"}])", "/method", "an experiment requires a method", false, 2},  // + rollback ref to "stress"
  {"MethodNull", R"([{"op":"replace","path":"/method","value":null}])", "/method", "an experiment requires a method", false, 2},
  {"MethodNotList", R"([{"op":"replace","path":"/method","value":{"a":1}}])", "/method", "must be a list of activities", false, -1},
  {"EmptyActivity", R"([{"op":"replace","path":"/method/0","value":{}}])", "/method/0", "empty activity is no activity", false, -1},
  {"NullActivity", R"([{"op":"add","path":"/method/-","value":null}])", "/method/3", "empty activity is no activity"},
  {"ActivityNotMapping", R"([{"op":"add","path":"/method/-","value":"stress"}])", "/method/3", "an activity must be a mapping"},
  {"RefEmpty", R"([{"op":"replace","path":"/method/1/ref","value":""}])", "/method/1/ref", "reference to activity must be non-empty strings"},
  {"RefNumber", R"([{"op":"replace","path":"/method/1/ref","value":1}])", "/method/1/ref", "reference to activity must be non-empty strings"},
  {"MethodRefDangling", R"([{"op":"replace","path":"/method/1/ref","value":"nope"}])", "/method/1/ref", "referenced activity 'nope' could not be found in the experiment"},
  {"MethodRefToRollbackOnly", R"([{"op":"replace","path":"/method/1/ref","value":"undo"}])", "/method/1/ref", "referenced activity 'undo' could not be found"},
  {"RollbackRefDangling", R"([{"op":"replace","path":"/rollbacks/0/ref","value":"nope"}])", "/rollbacks/0/ref", "referenced activity 'nope' could not be found"},
  {"RollbacksNotList", R"([{"op":"replace","path":"/rollbacks","value":"undo"}])", "/rollbacks", "rollbacks must be a list of activities"},
  {"ActivityWithoutType", R"([{"op":"remove","path":"/method/0/type"}])", "/method/0/type", "an activity must have a type"},
  {"ActivityBadType", R"([{"op":"replace","path":"/method/0/type","value":"fault"}])", "/method/0/type", "'fault' is not a supported activity type"},
  {"ActivityTypeNumber", R"([{"op":"replace","path":"/method/0/type","value":1}])", "/method/0/type", "'1' is not a supported activity type"},
  {"ActivityWithoutName", R"([{"op":"remove","path":"/rollbacks/1/name"}])", "/rollbacks/1/name", "an activity must have a name"},
  {"ActivityNameNumber", R"([{"op":"replace","path":"/method/2/name","value":5}])", "/method/2/name", "an activity name must be a string"},
  {"ActivityWithoutProvider", R"([{"op":"remove","path":"/method/2/provider"}])", "/method/2/provider", "an activity requires a provider"},
  {"ProviderNotMapping", R"([{"op":"replace","path":"/method/2/provider","value":"http"}])", "/method/2/provider", "an activity provider must be a mapping"},
  {"ProviderWithoutType", R"([{"op":"remove","path":"/method/2/provider/type"}])", "/method/2/provider/type", "a provider must have a type"},
  {"ProviderUnknownType", R"([{"op":"replace","path":"/method/2/provider/type","value":"ssh"}])", "/method/2/provider/type", "unknown provider type 'ssh'"},
  {"ProviderTypeNumber", R"([{"op":"replace","path":"/method/2/provider/type","value":7}])", "/method/2/provider/type", "unknown provider type '7'"},
  {"DriverWithoutPlugin", R"([{"op":"replace","path":"/method/2/provider","value":{"type":"driver","driver":"proxy","func":"latency"}}])", "/method/2/provider", "driver providers need a driver plugin; none is loaded"},
  {"ActivityTimeoutString", R"([{"op":"replace","path":"/method/0/timeout","value":"30"}])", "/method/0/timeout", "activity timeout must be a number"},
  {"PauseBeforeBadString", R"([{"op":"replace","path":"/method/0/pauses/before","value":"5s"}])", "/method/0/pauses/before", "activity before pause must be a number or a pattern"},
  {"PauseAfterPartialPattern", R"([{"op":"replace","path":"/method/0/pauses/after","value":"${settle}s"}])", "/method/0/pauses/after", "activity after pause must be a number or a pattern"},
  {"PauseObject", R"([{"op":"replace","path":"/method/0/pauses/after","value":{}}])", "/method/0/pauses/after", "activity after pause"},
  {"PausesNotMapping", R"([{"op":"replace","path":"/method/0/pauses","value":[1,2]}])", "/method/0/pauses", "activity pauses must be a mapping"},
  {"BackgroundString", R"([{"op":"replace","path":"/method/0/background","value":"yes"}])", "/method/0/background", "activity background must be a boolean"},
  // Process provider.
  {"ProcessWithoutPath", R"([{"op":"remove","path":"/method/0/provider/path"}])", "/method/0/provider/path", "a process activity must have a path"},
  {"ProcessPathNotFound", R"([{"op":"replace","path":"/method/0/provider/path","value":"vegeta"}])", "/method/0/provider/path", "path 'vegeta' cannot be found, in activity 'stress'"},
  {"ProcessPathNumber", R"([{"op":"replace","path":"/method/0/provider/path","value":3}])", "/method/0/provider/path", "a process activity path must be a string"},
  {"ProcessArgumentsNumber", R"([{"op":"replace","path":"/method/0/provider/arguments","value":3}])", "/method/0/provider/arguments", "process arguments must be a list or a string"},
  {"ProcessArgumentsMappingWarns", R"([{"op":"replace","path":"/method/0/provider/arguments","value":{"-c":"exit 0"}}])", "/method/0/provider/arguments", "deprecated", true, 0},
  {"ProcessTimeoutString", R"([{"op":"replace","path":"/method/0/provider/timeout","value":"5"}])", "/method/0/provider/timeout", "process timeout must be a number"},
  // HTTP provider.
  {"HttpWithoutUrl", R"([{"op":"remove","path":"/method/2/provider/url"}])", "/method/2/provider/url", "an HTTP activity must have a URL"},
  {"HttpUrlNumber", R"([{"op":"replace","path":"/method/2/provider/url","value":80}])", "/method/2/provider/url", "URL must be a string"},
  {"HttpHeadersList", R"([{"op":"replace","path":"/method/2/provider/headers","value":["a: b"]}])", "/method/2/provider/headers", "expects headers as a mapping"},
  {"HttpMethodNumber", R"([{"op":"replace","path":"/method/2/provider/method","value":1}])", "/method/2/provider/method", "HTTP method must be a string"},
  {"HttpArgumentsNumber", R"([{"op":"replace","path":"/method/2/provider/arguments","value":1}])", "/method/2/provider/arguments", "HTTP arguments must be a mapping or a string"},
  {"HttpTimeoutString", R"([{"op":"replace","path":"/method/2/provider/timeout","value":"5"}])", "/method/2/provider/timeout", "HTTP timeout must be a number"},
  {"HttpTimeoutTriple", R"([{"op":"add","path":"/method/2/provider/timeout/-","value":3}])", "/method/2/provider/timeout", "HTTP timeout must be a number"},
  {"HttpVerifyTlsString", R"([{"op":"replace","path":"/method/2/provider/verify_tls","value":"no"}])", "/method/2/provider/verify_tls", "verify_tls must be a boolean"},
  {"HttpMaxRetriesNegative", R"([{"op":"replace","path":"/method/2/provider/max_retries","value":-1}])", "/method/2/provider/max_retries", "max_retries must be a non-negative integer"},
  {"HttpMaxRetriesFloat", R"([{"op":"replace","path":"/method/2/provider/max_retries","value":1.5}])", "/method/2/provider/max_retries", "max_retries must be a non-negative integer"},
  {"HttpExpectedStatusString", R"([{"op":"replace","path":"/method/2/provider/expected_status","value":"200"}])", "/method/2/provider/expected_status", "expected_status must be an integer or a list"},
  {"HttpExpectedStatusListItem", R"([{"op":"replace","path":"/method/2/provider/expected_status/1","value":"201"}])", "/method/2/provider/expected_status/1", "expected_status must be an integer"},
  // Python provider: its shape (imports and signatures go through Options::python).
  {"PythonTimeoutString", R"([{"op":"replace","path":"/method/2/provider","value":{"type":"python","module":"m","func":"f","timeout":"5"}}])",
   "/method/2/provider/timeout", "python timeout must be a non-negative number of seconds"},
  {"PythonWithoutModule", R"([{"op":"replace","path":"/method/2/provider","value":{"type":"python","func":"f"}}])", "/method/2/provider/module", "a Python activity must have a module path", false, 1},
  // Controls (§10 step 14).
  {"ControlWithoutName", R"([{"op":"remove","path":"/controls/0/name"}])", "/controls/0/name", "A control must have a `name` property", false, -1},
  {"ControlWithoutProvider", R"([{"op":"remove","path":"/controls/0/provider"}])", "/controls/0/provider", "Control 'tracing' must have a `provider` property"},
  {"ControlBadScope", R"([{"op":"replace","path":"/method/0/controls/0/scope","value":"during"}])", "/method/0/controls/0/scope", "Control 'local' scope property must be 'before' or 'after' only"},
  {"ControlDanglingRef", R"([{"op":"replace","path":"/steady-state-hypothesis/controls/0/ref","value":"nope"}])", "/steady-state-hypothesis/controls/0/ref", "Control reference 'nope' declaration cannot be found"},
  {"ControlPythonWithoutModule", R"([{"op":"remove","path":"/controls/0/provider/module"}])", "/controls/0/provider/module", "Control 'tracing' must have a module path"},
  {"HypothesisControlsMappingWarns", R"([{"op":"replace","path":"/steady-state-hypothesis/controls","value":{"tracing":{}}}])", "/steady-state-hypothesis/controls", "controls should be a list", true, 0},
  {"ActivityControlsStringWarns", R"([{"op":"replace","path":"/method/0/controls","value":"tracing"}])", "/method/0/controls", "controls should be a list", true, 0},
  {"TopLevelControlsNotList", R"([{"op":"replace","path":"/controls","value":{"tracing":{}}}])", "/controls", "controls must be a list", false, -1},
  {"ControlNotMapping", R"([{"op":"add","path":"/method/0/controls/-","value":"tracing"}])", "/method/0/controls/1", "a control must be a mapping"},
  // Runtime and contributions.
  {"RuntimeNotMapping", R"([{"op":"replace","path":"/runtime","value":"always"}])", "/runtime", "runtime must be a mapping"},
  {"HypothesisStrategyUnknown", R"([{"op":"replace","path":"/runtime/hypothesis/strategy","value":"sometimes"}])", "/runtime/hypothesis/strategy", "unknown hypothesis strategy 'sometimes'"},
  {"RollbackStrategyUnknown", R"([{"op":"replace","path":"/runtime/rollbacks/strategy","value":"on-failure"}])", "/runtime/rollbacks/strategy", "unknown rollbacks strategy 'on-failure'"},
  {"RollbackStrategyNumber", R"([{"op":"replace","path":"/runtime/rollbacks/strategy","value":1}])", "/runtime/rollbacks/strategy", "unknown rollbacks strategy '1'"},
  {"ContinouslyMisspellingWarns", R"([{"op":"replace","path":"/runtime/hypothesis/strategy","value":"continously"}])", "/runtime/hypothesis/strategy", "deprecated spelling", true, 0},
  {"ContributionOtherWarns", R"([{"op":"replace","path":"/contributions/security","value":"critical"}])", "/contributions/security", "should be one of high, medium, low or none", true, 0},
};
// clang-format on

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class Catalogue : public ::testing::TestWithParam<Case> {};

TEST_P(Catalogue, ReportsTheRuleAtItsPointer) {
  const Case& c = GetParam();
  const std::vector<Diagnostic> all = Validate(Patched(c.patch), TestOptions());
  bool found = false;
  for (const Diagnostic& d : all) {
    if (d.pointer == c.pointer && d.warning == c.warning &&
        d.message.find(c.message) != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "expected " << (c.warning ? "warning" : "error") << " at " << c.pointer
                     << " containing \"" << c.message << "\"; got:\n"
                     << Describe(all);
  if (c.errors >= 0) {
    EXPECT_EQ(static_cast<int>(Errors(all).size()), c.errors) << Describe(all);
  }
}

INSTANTIATE_TEST_SUITE_P(Invalid, Catalogue, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(Catalogue, BaseExperimentIsValid) {
  const auto all = Validate(Base(), TestOptions());
  EXPECT_FALSE(HasErrors(all)) << Describe(all);
  // The python controls (top level and on `stress`) are accepted: TestOptions() has no python
  // check, so their modules are not imported.
  EXPECT_EQ(Warnings(all).size(), 0u) << Describe(all);
}

}  // namespace
}  // namespace chaosrun::validate::testing
