// The validator's API and the behaviours that are not one rule: reporting everything at once,
// configuration resolution per key, the driver hook, the documented pointer conventions.
#include <gtest/gtest.h>

#include <string>

#include "fixtures.h"

namespace chaosrun::validate::testing {
namespace {

TEST(Diagnostic, ToStringShowsPointerAndMessage) {
  EXPECT_EQ((Diagnostic{"/method/2/provider/url", "an HTTP activity must have a URL"}).ToString(),
            "/method/2/provider/url: an HTTP activity must have a URL");
  EXPECT_EQ((Diagnostic{"", "an empty experiment is not an experiment"}).ToString(),
            "(document): an empty experiment is not an experiment");
  EXPECT_EQ((Diagnostic{"/contributions/x", "odd", true}).ToString(),
            "/contributions/x: warning: odd");
}

TEST(Diagnostic, HasErrorsIgnoresWarnings) {
  EXPECT_FALSE(HasErrors({}));
  EXPECT_FALSE(HasErrors({Diagnostic{"/a", "w", true}}));
  EXPECT_TRUE(HasErrors({Diagnostic{"/a", "w", true}, Diagnostic{"/b", "e", false}}));
}

TEST(DefaultOptions, LooksUpRealExecutablesAndEnvironment) {
  const Options options = DefaultOptions();
  ASSERT_TRUE(options.resolve_executable);
  ASSERT_TRUE(options.env);
  EXPECT_TRUE(options.resolve_executable("sh").has_value());
  EXPECT_FALSE(options.resolve_executable("no-such-binary-chaosrun-test").has_value());
  EXPECT_FALSE(options.check_driver);
}

TEST(Document, EmptyValuesAreNotExperiments) {
  for (const char* text : {"{}", "null", "[]", "\"\"", "0", "false"}) {
    const auto all = Validate(Json::parse(text), TestOptions());
    ASSERT_EQ(all.size(), 1u) << text;
    EXPECT_EQ(all[0].pointer, "");
    EXPECT_EQ(all[0].message, "an empty experiment is not an experiment");
  }
}

TEST(Document, NonMappingIsRejectedAtTheRoot) {
  for (const char* text : {"[1]", "\"experiment\"", "3", "true"}) {
    const auto all = Validate(Json::parse(text), TestOptions());
    ASSERT_EQ(all.size(), 1u) << text;
    EXPECT_EQ(all[0].pointer, "");
    EXPECT_EQ(all[0].message, "the experiment document must be a mapping");
  }
}

TEST(Document, ReportsEveryProblemAtOnceInValidationOrder) {
  const Json doc = Json::parse(R"({
    "description": "five problems",
    "tags": ["ok", ""],
    "method": [
      {"name": "no-type", "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "no-url", "provider": {"type": "http"}}
    ],
    "rollbacks": [{"ref": "nothing"}]
  })");
  const auto errors = Errors(Validate(doc, TestOptions()));
  ASSERT_EQ(errors.size(), 5u) << Describe(errors);
  EXPECT_EQ(errors[0].ToString(), "/title: experiment requires a title");
  EXPECT_EQ(errors[1].ToString(), "/tags/1: experiment tags must be a non-empty string");
  EXPECT_EQ(errors[2].ToString(), "/method/0/type: an activity must have a type");
  EXPECT_EQ(errors[3].ToString(), "/method/1/provider/url: an HTTP activity must have a URL");
  EXPECT_EQ(errors[4].ToString(),
            "/rollbacks/0/ref: referenced activity 'nothing' could not be found in the experiment");
}

TEST(Document, EveryBadFieldOfOneActivityIsReported) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [
    {"type": "fault", "name": 3, "provider": {"type": "process"}, "timeout": "x",
     "pauses": {"before": "soon"}, "background": 1, "controls": [{"name": "c"}]}]})");
  const auto errors = Errors(Validate(doc, TestOptions()));
  std::vector<std::string> pointers;
  for (const auto& e : errors) pointers.push_back(e.pointer);
  EXPECT_EQ(pointers,
            (std::vector<std::string>{"/method/0/type", "/method/0/name", "/method/0/provider/path",
                                      "/method/0/timeout", "/method/0/pauses/before",
                                      "/method/0/background", "/method/0/controls/0/provider"}))
      << Describe(errors);
}

TEST(Configuration, EveryMissingEnvironmentKeyIsReportedAtItsKey) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [],
    "configuration": {"a": {"type": "env", "key": "A_URL"}, "b": 1, "c": {"type": "env", "key": "C_URL"}},
    "secrets": {"s": {"x": {"type": "env", "key": "X"}, "nested": {"deep": {"type": "env", "key": "Y"}}}}})");
  const auto errors = Errors(Validate(doc, TestOptions()));
  ASSERT_EQ(errors.size(), 4u) << Describe(errors);
  EXPECT_EQ(errors[0].ToString(),
            "/configuration/a: Configuration makes reference to an environment key that does not "
            "exist: A_URL");
  EXPECT_EQ(errors[1].pointer, "/configuration/c");
  EXPECT_EQ(errors[2].ToString(),
            "/secrets/s/x: Secrets make reference to an environment key that does not exist: X");
  EXPECT_EQ(errors[3].pointer, "/secrets/s/nested/deep");
}

TEST(Configuration, EnvironmentAndOverridesSatisfyDeclarations) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [],
    "configuration": {"a": {"type": "env", "key": "A_URL"}, "b": {"type": "env", "key": "B_URL"}}})");
  Options options = TestOptions({{"A_URL", "http://a"}});
  EXPECT_TRUE(HasErrors(Validate(doc, options)));
  options.overrides.configuration["b"] = "http://b";
  const auto all = Validate(doc, options);
  EXPECT_FALSE(HasErrors(all)) << Describe(all);
}

TEST(Configuration, ResolvedValuesFeedPatternChecks) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [],
    "configuration": {"p": {"type": "env", "key": "PATTERN"}},
    "steady-state-hypothesis": {"title": "h", "probes": [{"type": "probe", "name": "x",
      "tolerance": {"type": "regex", "pattern": "^${p}$"}, "provider": {"type": "process", "path": "true"}}]}})");
  EXPECT_FALSE(HasErrors(Validate(doc, TestOptions({{"PATTERN", "a+"}}))));
  const auto bad = Errors(Validate(doc, TestOptions({{"PATTERN", "(a"}})));
  ASSERT_EQ(bad.size(), 1u) << Describe(bad);
  EXPECT_EQ(bad[0].pointer, "/steady-state-hypothesis/probes/0/tolerance/pattern");
  // Unresolvable configuration: one error at the key, and the pattern check is skipped.
  const auto missing = Errors(Validate(doc, TestOptions({})));
  ASSERT_EQ(missing.size(), 1u) << Describe(missing);
  EXPECT_EQ(missing[0].pointer, "/configuration/p");
}

TEST(Providers, DriverCheckHookReplacesTheNoPluginError) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [
    {"type": "action", "name": "slow", "provider": {"type": "driver", "driver": "proxy", "func": "latency"}}]})");
  Options options = TestOptions();
  std::string seen;
  options.check_driver = [&seen](const Json& provider, const std::string& pointer,
                                 const std::string& activity, std::vector<Diagnostic>& out) {
    seen = activity + "@" + pointer;
    if (provider.value("func", "") != "latency") out.push_back({pointer, "unknown action"});
    return DriverFunc::kAction;
  };
  const auto all = Validate(doc, options);
  EXPECT_FALSE(HasErrors(all)) << Describe(all);
  EXPECT_EQ(seen, "slow@/method/0/provider");
}

// A PythonCheck that answers from a table (the real one goes through the python bridge:
// tests/unit/providers/python_bridge_test.cc, tests/integration/python/).
class TablePythonCheck final : public PythonCheck {
 public:
  bool unavailable = false;
  int asked = 0;
  Result<std::string> Activity(const Json& provider, const std::string& name,
                               const std::string& type) override {
    ++asked;
    if (unavailable) return Err(Status::FailedPrecondition("no Python interpreter: none"));
    const std::string module = provider.value("module", "");
    if (module == "chaosk8s.pod.probes") {
      return "could not find Python module '" + module + "' in activity '" + name + "'";
    }
    if (module == "m" && provider.value("func", "") == "g") {
      return "The python module 'm' does not expose a function called 'g' in " + type + " '" +
             name + "'";
    }
    if (provider.contains("arguments"))
      return std::string("argument 'x' is not part of the function signature in activity 'f'");
    return std::string();
  }
  Result<std::string> ControlModule(const std::string& module) override {
    return module == "gone" ? std::string("ModuleNotFoundError: No module named 'gone'")
                            : std::string();
  }
};

TEST(Providers, PythonActivitiesAreResolvedThroughTheCheck) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [
    {"type": "probe", "name": "pods_in_phase", "provider": {"type": "python", "module": "chaosk8s.pod.probes", "func": "pods_in_phase"}},
    {"type": "action", "name": "a", "provider": {"type": "python", "module": "m", "func": "g"}},
    {"type": "action", "name": "b", "provider": {"type": "python", "module": "m", "func": "f", "arguments": {"x": 1}}},
    {"type": "action", "name": "c", "provider": {"type": "python", "module": "m", "func": "f"}}],
    "controls": [{"name": "ctl", "provider": {"type": "python", "module": "gone"}}]})");
  Options options = TestOptions();
  auto check = std::make_shared<TablePythonCheck>();
  options.python = check;
  const auto all = Validate(doc, options);
  const auto errors = Errors(all);
  ASSERT_EQ(errors.size(), 3u) << Describe(all);
  EXPECT_EQ(errors[0].ToString(),
            "/method/0/provider/module: could not find Python module 'chaosk8s.pod.probes' in "
            "activity 'pods_in_phase'");
  EXPECT_EQ(errors[1].ToString(),
            "/method/1/provider/func: The python module 'm' does not expose a function called 'g' "
            "in action 'a'");
  EXPECT_EQ(errors[2].pointer, "/method/2/provider/arguments");
  // The reference only warns about a control module it cannot import.
  auto w = At(all, "/controls/0/provider/module");
  ASSERT_TRUE(w.has_value()) << Describe(all);
  EXPECT_TRUE(w->warning);
}

TEST(Providers, NoPythonIsSaidOnce) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [
    {"type": "probe", "name": "a", "provider": {"type": "python", "module": "m", "func": "f"}},
    {"type": "probe", "name": "b", "provider": {"type": "python", "module": "m", "func": "f"}}]})");
  Options options = TestOptions();
  auto check = std::make_shared<TablePythonCheck>();
  check->unavailable = true;
  options.python = check;
  const auto errors = Errors(Validate(doc, options));
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].pointer, "/method/0/provider");
  EXPECT_EQ(errors[0].message,
            "no Python interpreter: none; python activities cannot be checked or run");
  EXPECT_EQ(check->asked, 1);
}

TEST(Pointers, KeysWithSlashAndTildeAreEscaped) {
  const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [],
    "configuration": {"a/b~c": {"type": "env", "key": "NOPE"}}})");
  const auto errors = Errors(Validate(doc, TestOptions()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/configuration/a~1b~0c");
}

TEST(Options, EmptyFunctionsAreTolerated) {
  // No env lookup: env entries without defaults are unresolvable; no executable lookup: paths
  // are not checked. Nothing throws.
  const auto all = Validate(Base(), Options{});
  EXPECT_EQ(Errors(all).size(), 1u) << Describe(all);  // TOKEN
  EXPECT_EQ(Errors(all)[0].pointer, "/secrets/api/token");
}

}  // namespace
}  // namespace chaosrun::validate::testing
