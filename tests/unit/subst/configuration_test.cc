#include "subst/configuration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace chaosrun::subst {
namespace {

// An injected environment.
EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& key) -> std::optional<std::string> {
    auto it = vars.find(key);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Result<ResolvedConfiguration> Resolve(const char* declared, std::map<std::string, std::string> env,
                                      const Overrides& ovr = {}) {
  return ResolveConfiguration(Json::parse(declared), ovr, FakeEnv(std::move(env)));
}

TEST(ConvertEnvValue, Types) {
  EXPECT_EQ(*ConvertEnvValue("x", "str"), Json("x"));
  EXPECT_EQ(*ConvertEnvValue("x", "string"), Json("x"));
  EXPECT_EQ(*ConvertEnvValue("x", "bytes"), Json("x"));
  EXPECT_EQ(*ConvertEnvValue(" 42 ", "int"), Json(42));
  EXPECT_EQ(*ConvertEnvValue("-1_000", "integer"), Json(-1000));
  EXPECT_EQ(*ConvertEnvValue("2.5", "float"), Json(2.5));
  EXPECT_EQ(*ConvertEnvValue("1e3", "number"), Json(1000.0));
  EXPECT_EQ(*ConvertEnvValue("{\"a\": [1]}", "json"), Json::parse(R"({"a": [1]})"));
  EXPECT_EQ(*ConvertEnvValue("", "json"), Json(""));
  EXPECT_EQ(*ConvertEnvValue("3", "json"), Json(3));
}

TEST(ConvertEnvValue, BoolIsFalseOnlyForFalseZeroNo) {
  for (const char* f : {"false", "FALSE", "False", "0", "no", "NO", "nO"}) {
    EXPECT_EQ(*ConvertEnvValue(f, "bool"), Json(false)) << f;
  }
  for (const char* t : {"true", "1", "yes", "", " false", "off", "n", "anything"}) {
    EXPECT_EQ(*ConvertEnvValue(t, "bool"), Json(true)) << t;
  }
}

TEST(ConvertEnvValue, Errors) {
  auto bad_int = ConvertEnvValue("abc", "int");
  ASSERT_FALSE(bad_int);
  EXPECT_EQ(bad_int.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad_int.error().message(), "invalid literal for int() with base 10: 'abc'");
  EXPECT_FALSE(ConvertEnvValue("1.5", "int"));
  EXPECT_FALSE(ConvertEnvValue("x", "float"));
  EXPECT_FALSE(ConvertEnvValue("{", "json"));
  EXPECT_NE(ConvertEnvValue("{", "json").error().message().find("invalid JSON value"),
            std::string::npos);
  auto bad_type = ConvertEnvValue("1", "list");
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().message(),
            "variable type can only be: bool, str, int, float, bytes or json");
  EXPECT_FALSE(ConvertEnvValue("1", ""));
  EXPECT_FALSE(ConvertEnvValue("1", "INT"));
}

TEST(ResolveConfiguration, PlainValuesKeptInOrder) {
  auto r = Resolve(R"({"b": 1, "a": "x", "l": [1], "o": {"k": 1}, "t": {"type": "other"}})", {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->values.dump(), R"({"b":1,"a":"x","l":[1],"o":{"k":1},"t":{"type":"other"}})");
  EXPECT_TRUE(r->dynamic_keys.empty());
}

TEST(ResolveConfiguration, EnvEntries) {
  auto r = Resolve(
      R"({
      "host": {"type": "env", "key": "HOST"},
      "port": {"type": "env", "key": "PORT", "env_var_type": "int"},
      "empty": {"type": "env", "key": "EMPTY", "default": "unused"},
      "dflt": {"type": "env", "key": "UNSET", "default": "fallback"},
      "dnull": {"type": "env", "key": "UNSET", "default": null},
      "dtyped": {"type": "env", "key": "UNSET", "default": "5", "env_var_type": "int"},
      "dnum": {"type": "env", "key": "UNSET", "default": 7.9, "env_var_type": "int"},
      "dobj": {"type": "env", "key": "UNSET", "default": {"a": 1}},
      "flag": {"type": "env", "key": "FLAG", "env_var_type": "bool"},
      "js": {"type": "env", "key": "JS", "env_var_type": "json"}
  })",
      {{"HOST", "example.org"}, {"PORT", "8080"}, {"EMPTY", ""}, {"FLAG", "No"}, {"JS", "[1, 2]"}});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->values.dump(),
            R"({"host":"example.org","port":8080,"empty":"","dflt":"fallback","dnull":null,)"
            R"("dtyped":5,"dnum":7,"dobj":{"a":1},"flag":false,"js":[1,2]})");
}

TEST(ResolveConfiguration, MissingEnvWithoutDefault) {
  auto r = Resolve(R"({"a": 1, "token": {"type": "env", "key": "MY_TOKEN"}})", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(),
            "Configuration makes reference to an environment key that does not exist: MY_TOKEN");
}

TEST(ResolveConfiguration, BadEnvEntries) {
  auto no_key = Resolve(R"({"x": {"type": "env"}})", {});
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().message(), "configuration \"x\": an env entry needs a \"key\" string");
  EXPECT_FALSE(Resolve(R"({"x": {"type": "env", "key": 5}})", {}));
  auto bad_type =
      Resolve(R"({"x": {"type": "env", "key": "V", "env_var_type": "list"}})", {{"V", "1"}});
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().message(),
            "configuration \"x\": variable type can only be: bool, str, int, float, bytes or json");
  auto bad_value =
      Resolve(R"({"x": {"type": "env", "key": "V", "env_var_type": "int"}})", {{"V", "twelve"}});
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error().message(),
            "configuration \"x\": invalid literal for int() with base 10: 'twelve'");
  EXPECT_FALSE(
      Resolve(R"({"x": {"type": "env", "key": "U", "default": "1", "env_var_type": 3}})", {}));
  EXPECT_FALSE(
      Resolve(R"({"x": {"type": "env", "key": "U", "default": [1], "env_var_type": "int"}})", {}));
}

TEST(ResolveConfiguration, OverridesReplaceDeclarationsAndUndeclaredAreDropped) {
  Overrides ovr;
  ovr.configuration = Json::parse(R"({"a": "from-var", "undeclared": 1,
      "b": {"type": "env", "key": "B_ENV", "env_var_type": "int"},
      "c": {"type": "env", "key": "NOPE", "default": "d"}})");
  auto r = Resolve(R"({"a": {"type": "env", "key": "MISSING"}, "b": "declared",
                      "c": "declared", "d": 4})",
                   {{"B_ENV", "12"}}, ovr);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->values.dump(), R"({"a":"from-var","b":12,"c":"d","d":4})");
}

TEST(ResolveConfiguration, DynamicProbeEntriesAreKeptAndListed) {
  auto r = Resolve(R"({"a": 1, "dyn": {"type": "probe", "name": "p",
                      "provider": {"type": "process", "path": "echo"}},
                      "z": {"type": "probe"}})",
                   {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->values["dyn"]["name"], "p");
  EXPECT_EQ(r->dynamic_keys, (std::vector<std::string>{"dyn", "z"}));
}

TEST(ResolveConfiguration, NullAndNonMappingDeclarations) {
  auto none = ResolveConfiguration(Json(), {}, FakeEnv({}));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->values.empty());
  auto list = ResolveConfiguration(Json::array(), {}, FakeEnv({}));
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code(), Code::kInvalidArgument);
}

TEST(ResolveSecrets, InlineEnvAndNested) {
  Json declared = Json::parse(R"({
      "k8s": {"token": {"type": "env", "key": "K8S_TOKEN"}, "inline": "abc"},
      "deep": {"level": {"pw": {"type": "env", "key": "PW"}, "n": 1}},
      "flat": "scalar-scope"})");
  auto r = ResolveSecrets(declared, {}, FakeEnv({{"K8S_TOKEN", "t0k"}, {"PW", ""}}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->dump(), R"({"k8s":{"token":"t0k","inline":"abc"},"deep":{"level":{"pw":"","n":1}},)"
                       R"("flat":"scalar-scope"})");
}

TEST(ResolveSecrets, MissingEnvHasNoDefault) {
  auto r = ResolveSecrets(
      Json::parse(R"({"s": {"k": {"type": "env", "key": "SECRET_X", "default": "d"}}})"), {},
      FakeEnv({}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(),
            "Secrets make reference to an environment key that does not exist: SECRET_X");
}

TEST(ResolveSecrets, VaultIsUnsupportedAndNamesTheKey) {
  auto r = ResolveSecrets(
      Json::parse(R"({"aws": {"creds": {"type": "vault", "path": "foo/bar"}}})"), {}, FakeEnv({}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kUnsupported);
  EXPECT_NE(r.error().message().find("\"aws.creds\""), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("Vault"), std::string::npos);
}

TEST(ResolveSecrets, VarFileScopesReplaceWholeScopesRaw) {
  Overrides ovr;
  ovr.secrets = Json::parse(R"({"a": {"only": "new"}, "b": null, "undeclared": {"x": 1},
                               "c": {"raw": {"type": "env", "key": "NOT_RESOLVED"}}})");
  Json declared = Json::parse(R"({"a": {"k1": "v1", "k2": "v2"}, "b": {"k": "kept"},
                                 "c": {"z": 1}, "s": "scalar"})");
  auto r = ResolveSecrets(declared, ovr, FakeEnv({}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(
      r->dump(),
      R"({"a":{"only":"new"},"b":{"k":"kept"},"c":{"raw":{"type":"env","key":"NOT_RESOLVED"}},)"
      R"("s":"scalar"})");
}

TEST(ProcessEnv, ReadsTheRealEnvironment) {
  ::setenv("CHAOSRUN_SUBST_TEST_VAR", "v", 1);
  EnvLookup env = ProcessEnv();
  EXPECT_EQ(env("CHAOSRUN_SUBST_TEST_VAR"), "v");
  ::unsetenv("CHAOSRUN_SUBST_TEST_VAR");
  EXPECT_EQ(env("CHAOSRUN_SUBST_TEST_VAR"), std::nullopt);
  EXPECT_EQ(env(""), std::nullopt);
  EXPECT_EQ(env("A=B"), std::nullopt);
}

}  // namespace
}  // namespace chaosrun::subst
