#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "subst/configuration.h"
#include "support/temp_dir.h"

namespace chaosrun::subst {
namespace {

using chaosrun::testing::TempDir;

// Restores the listed environment variables when the test ends.
class EnvGuard {
 public:
  explicit EnvGuard(std::vector<std::string> names) : names_(std::move(names)) {
    for (const auto& n : names_) {
      const char* v = std::getenv(n.c_str());
      saved_.push_back(v ? std::optional<std::string>(v) : std::nullopt);
    }
  }
  ~EnvGuard() {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (saved_[i]) {
        ::setenv(names_[i].c_str(), saved_[i]->c_str(), 1);
      } else {
        ::unsetenv(names_[i].c_str());
      }
    }
  }

 private:
  std::vector<std::string> names_;
  std::vector<std::optional<std::string>> saved_;
};

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::optional<std::string>(v) : std::nullopt;
}

TEST(ParseVarArgument, KeyValueAndTypedForms) {
  Overrides o;
  ASSERT_TRUE(ParseVarArgument("a=1", o).ok());
  ASSERT_TRUE(ParseVarArgument("b:int=2", o).ok());
  ASSERT_TRUE(ParseVarArgument("c:float=2.5", o).ok());
  ASSERT_TRUE(ParseVarArgument("d:bool=no", o).ok());
  ASSERT_TRUE(ParseVarArgument("e:json={\"x\": [1]}", o).ok());
  ASSERT_TRUE(ParseVarArgument("f=x=y", o).ok());      // split at the first '='
  ASSERT_TRUE(ParseVarArgument("g:h:str=v", o).ok());  // the type is after the last ':'
  ASSERT_TRUE(ParseVarArgument("i=", o).ok());
  ASSERT_TRUE(ParseVarArgument("url=http://h:1/p", o).ok());
  ASSERT_TRUE(ParseVarArgument("a=again", o).ok());  // later wins
  EXPECT_EQ(o.configuration.dump(),
            R"({"a":"again","b":2,"c":2.5,"d":false,"e":{"x":[1]},"f":"x=y","g:h":"v","i":"",)"
            R"("url":"http://h:1/p"})");
  EXPECT_TRUE(o.secrets.empty());
}

TEST(ParseVarArgument, MalformedArgumentsNameTheArgument) {
  Overrides o;
  Status no_eq = ParseVarArgument("novalue", o);
  EXPECT_EQ(no_eq.code(), Code::kInvalidArgument);
  EXPECT_EQ(no_eq.message(), "invalid --var \"novalue\": expected name[:type]=value");
  Status bad_int = ParseVarArgument("n:int=abc", o);
  EXPECT_EQ(bad_int.code(), Code::kInvalidArgument);
  EXPECT_EQ(bad_int.message(),
            "invalid --var \"n:int=abc\": invalid literal for int() with base 10: 'abc'");
  Status bad_type = ParseVarArgument("n:list=1", o);
  EXPECT_EQ(bad_type.code(), Code::kInvalidArgument);
  EXPECT_NE(bad_type.message().find("n:list=1"), std::string::npos);
  EXPECT_FALSE(ParseVarArgument("n:=1", o).ok());
  EXPECT_FALSE(ParseVarArgument("", o).ok());
  EXPECT_TRUE(o.configuration.empty());
}

TEST(LoadVarFile, JsonAndYamlBlocksMergeLaterFilesWin) {
  TempDir dir;
  Overrides o;
  ASSERT_TRUE(LoadVarFile(dir.Write("a.json", R"({"configuration": {"x": 1, "y": 1},
      "secrets": {"s": {"k": "v"}, "t": {"k": "v"}}})"),
                          o)
                  .ok());
  Status s = LoadVarFile(dir.Write("b.yaml",
                                   "configuration:\n  y: 2\n  z: {type: env, key: Z}\n"
                                   "secrets:\n  s: {other: w}\nextra: ignored\n"),
                         o);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(LoadVarFile(dir.Write("c.yml", "configuration: ~\n"), o).ok());
  EXPECT_EQ(o.configuration.dump(), R"({"x":1,"y":2,"z":{"type":"env","key":"Z"}})");
  EXPECT_EQ(o.secrets.dump(), R"({"s":{"other":"w"},"t":{"k":"v"}})");
}

TEST(LoadVarFile, DotEnvFileSetsTheEnvironment) {
  EnvGuard guard({"CR_A", "CR_B", "CR_C", "CR_D ", "CR_E"});
  ::unsetenv("CR_E");
  TempDir dir;
  Overrides o;
  Status s = LoadVarFile(dir.Write("vars.env",
                                   "# comment\n"
                                   "\n"
                                   "CR_A=1\n"
                                   "  CR_B=two words  \r\n"
                                   "CR_C=x=y\n"
                                   "CR_D = spaced\n"
                                   "CR_E=\"quoted\"\n"
                                   "   # indented comment\n"),
                         o);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Env("CR_A"), "1");
  EXPECT_EQ(Env("CR_B"), "two words");
  EXPECT_EQ(Env("CR_C"), "x=y");
  EXPECT_EQ(Env("CR_D "), " spaced");    // no trimming around '=', as the reference
  EXPECT_EQ(Env("CR_E"), "\"quoted\"");  // no quote handling
  EXPECT_TRUE(o.configuration.empty());
}

TEST(LoadVarFile, JsonOrYamlThatParsesToNothingIsADotEnvFile) {
  EnvGuard guard({"CR_YAML_ENV"});
  TempDir dir;
  Overrides o;
  // A YAML comment-only file is None, hence a .env file (whose lines are all comments).
  EXPECT_TRUE(LoadVarFile(dir.Write("only-comments.yaml", "# CR_YAML_ENV=1\n"), o).ok());
  EXPECT_EQ(Env("CR_YAML_ENV"), std::nullopt);
  // "{}" is falsy: as a .env line it has no '=', which is an error naming the line.
  Status s = LoadVarFile(dir.Write("empty.json", "{}"), o);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("empty.json:1: "), std::string::npos) << s.message();
  // An empty file is skipped.
  EXPECT_TRUE(LoadVarFile(dir.Write("nothing.json", ""), o).ok());
}

TEST(LoadVarFile, LineWithoutEqualsIsAnErrorAndNothingIsSet) {
  EnvGuard guard({"CR_FIRST"});
  ::unsetenv("CR_FIRST");
  TempDir dir;
  Overrides o;
  const std::string p = dir.Write("bad.env", "CR_FIRST=1\n\nNOT A PAIR\n");
  Status s = LoadVarFile(p, o);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), p + ":3: expected KEY=VALUE in a .env var file");
  EXPECT_EQ(Env("CR_FIRST"), std::nullopt);
  Status empty_name = LoadVarFile(dir.Write("bad2.env", "=value\n"), o);
  EXPECT_EQ(empty_name.code(), Code::kInvalidArgument);
  Status nul = LoadVarFile(dir.Write("bad3.env", std::string("A=x\0y\n", 6)), o);
  EXPECT_EQ(nul.code(), Code::kInvalidArgument);
}

TEST(LoadVarFile, MissingFilesAndBadDocuments) {
  TempDir dir;
  Overrides o;
  Status missing = LoadVarFile((dir.path() / "none.json").string(), o);
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_NE(missing.message().find("none.json"), std::string::npos);
  EXPECT_EQ(LoadVarFile(dir.path().string(), o).code(), Code::kNotFound);  // a directory
  Status syntax = LoadVarFile(dir.Write("bad.json", "{\"configuration\": }"), o);
  EXPECT_EQ(syntax.code(), Code::kParseError);
  EXPECT_NE(syntax.message().find("bad.json:1:19: "), std::string::npos) << syntax.message();
  EXPECT_EQ(LoadVarFile(dir.Write("list.json", "[1]"), o).code(), Code::kInvalidArgument);
  EXPECT_EQ(LoadVarFile(dir.Write("cfg.yaml", "configuration: [1]\n"), o).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(LoadVarFile(dir.Write("tag.yaml", "configuration: !!python/none x\n"), o).code(),
            Code::kParseError);
  EXPECT_TRUE(o.configuration.empty());
}

TEST(VarsEndToEnd, VarFileEnvThenConfiguration) {
  EnvGuard guard({"CR_PORT"});
  TempDir dir;
  Overrides o;
  ASSERT_TRUE(LoadVarFile(dir.Write(".env", "CR_PORT=9000\n"), o).ok());  // ".env": no extension
  ASSERT_TRUE(ParseVarArgument("name=cli", o).ok());
  auto r = ResolveConfiguration(
      Json::parse(R"({"port": {"type": "env", "key": "CR_PORT", "env_var_type": "int"},
                      "name": "declared"})"),
      o, ProcessEnv());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->values.dump(), R"({"port":9000,"name":"cli"})");
}

}  // namespace
}  // namespace chaosrun::subst
