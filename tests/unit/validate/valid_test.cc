// The catalogue of valid experiments: named, inline documents that must produce no error.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "fixtures.h"

namespace chaosrun::validate::testing {
namespace {

struct ValidCase {
  const char* name;
  const char* json;
};

// clang-format off
const ValidCase kValid[] = {
  {"Minimal", R"({"title": "t", "description": "d", "method": []})"},
  {"UnknownTopLevelKeysAreFine", R"({"title": "t", "description": "d", "method": [], "version": "1", "dry_run": 3, "x-anything": {"a": [1]}})"},
  {"HypothesisWithoutProbes", R"({"title": "t", "description": "d", "steady-state-hypothesis": {"title": "h"}, "method": []})"},
  {"HypothesisNullIsAbsent", R"({"title": "t", "description": "d", "steady-state-hypothesis": null, "method": []})"},
  {"EmptyTagsAndNullOptionalBlocks", R"({"title": "t", "description": "d", "tags": [], "extensions": null, "rollbacks": null, "controls": null, "method": []})"},
  {"ToleranceKinds", R"({"title": "t", "description": "d", "method": [],
    "steady-state-hypothesis": {"title": "h", "probes": [
      {"type": "probe", "name": "b", "tolerance": true, "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "s", "tolerance": "ok", "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "typed", "tolerance": "${expected}", "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "l", "tolerance": [1, 2, 3], "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "neg", "tolerance": -1, "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "r", "tolerance": {"type": "range", "range": [false, 2.5]}, "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "j", "tolerance": {"type": "jsonpath", "path": "$.items.*[?(@.up=true)].name", "expect": ["a"]},
       "provider": {"type": "http", "url": "http://x"}},
      {"type": "probe", "name": "p", "tolerance": {"type": "probe", "name": "check", "provider": {"type": "process", "path": "echo", "arguments": []}},
       "provider": {"type": "http", "url": "http://x"}}
    ]}})"},
  {"UnresolvedPlaceholdersAreNotChecked", R"({"title": "t", "description": "d", "method": [],
    "steady-state-hypothesis": {"title": "h", "probes": [
      {"type": "probe", "name": "re", "tolerance": {"type": "regex", "pattern": "${undeclared}("}, "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "jp", "tolerance": {"type": "jsonpath", "path": "${undeclared}"}, "provider": {"type": "process", "path": "true"}}
    ]}})"},
  {"EnvWithDefault", R"({"title": "t", "description": "d", "method": [],
    "configuration": {"a": {"type": "env", "key": "UNSET", "default": null}, "b": {"type": "env", "key": "UNSET", "default": "5", "env_var_type": "int"}}})"},
  {"SecretsInlineAndEnv", R"({"title": "t", "description": "d", "method": [],
    "secrets": {"k8s": {"token": {"type": "env", "key": "TOKEN"}, "user": "admin"}, "empty": {}}})"},
  {"PausesAndTimeoutsAsPatterns", R"({"title": "t", "description": "d",
    "configuration": {"t": 3},
    "method": [{"type": "action", "name": "a", "pauses": {"before": 0, "after": "${t}"}, "timeout": 1.5,
                "provider": {"type": "http", "url": "http://x", "timeout": "${t}"}}]})"},
  {"ProcessStringArgumentsAndNullTimeout", R"({"title": "t", "description": "d",
    "method": [{"type": "probe", "name": "p", "provider": {"type": "process", "path": "/bin/sh", "arguments": "-c 'ls | wc -l'", "timeout": null}}]})"},
  {"RefsToHypothesisAndMethod", R"({"title": "t", "description": "d",
    "steady-state-hypothesis": {"title": "h", "probes": [{"type": "probe", "name": "up", "tolerance": 0, "provider": {"type": "process", "path": "true"}}]},
    "method": [{"ref": "up"}, {"type": "action", "name": "a", "provider": {"type": "process", "path": "true"}}, {"ref": "a"}],
    "rollbacks": [{"ref": "a"}, {"ref": "up", "ignored": 1}]})"},
  {"ControlsEverywhere", R"({"title": "t", "description": "d",
    "controls": [{"name": "c", "automatic": false, "provider": {"type": "python", "module": "m"}}],
    "steady-state-hypothesis": {"title": "h", "controls": [{"ref": "c"}]},
    "method": [{"type": "action", "name": "a", "provider": {"type": "process", "path": "true"}, "controls": [{"ref": "c"}, {"name": "d", "scope": "after", "provider": {"type": "python", "module": "n"}}]}]})"},
  {"RuntimeStrategies", R"({"title": "t", "description": "d", "method": [],
    "runtime": {"hypothesis": {"strategy": "during-method-only"}, "rollbacks": {"strategy": "deviated"}}})"},
  {"RuntimeWithoutStrategy", R"({"title": "t", "description": "d", "method": [], "runtime": {"rollbacks": {}}})"},
};
// clang-format on

void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.name; }

class ValidCatalogue : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidCatalogue, HasNoError) {
  const auto all = Validate(Json::parse(GetParam().json), TestOptions());
  EXPECT_FALSE(HasErrors(all)) << Describe(all);
}

INSTANTIATE_TEST_SUITE_P(Valid, ValidCatalogue, ::testing::ValuesIn(kValid),
                         [](const ::testing::TestParamInfo<ValidCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace chaosrun::validate::testing
