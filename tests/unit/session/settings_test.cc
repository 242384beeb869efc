// The settings file (session/settings.h): what is read, what is warned about (one warning per key,
// naming its pointer), what is refused (the pointer or file:line:column), and the precedence of
// its runtime strategies.
#include "session/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/controls.h"
#include "support/temp_dir.h"

namespace chaosrun::session {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SettingsFile, ReadsRuntimeControlsNotificationsAndAuths) {
  testing::TempDir dir;
  std::string path = dir.Write("settings.yaml", R"(runtime:
  hypothesis:
    strategy: continuously
  rollbacks:
    strategy: always
controls:
  tracing:
    provider:
      type: python
      module: chaostracing.control
notifications:
  - type: http
    url: http://127.0.0.1:9/hook
    headers:
      Authorization: Bearer abc
    events: [run-failed]
auths:
  example.com:8080:
    type: bearer
    value: xyz
)");
  auto s = LoadSettings(path);
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->hypothesis_strategy, engine::HypothesisStrategy::kContinuously);
  EXPECT_EQ(s->rollback_strategy, engine::RollbackStrategy::kAlways);
  EXPECT_TRUE(s->controls.contains("tracing"));
  ASSERT_EQ(s->channels.size(), 1u);
  EXPECT_EQ(s->channels[0].url, "http://127.0.0.1:9/hook");
  EXPECT_THAT(s->channels[0].headers, ElementsAre("Authorization: Bearer abc"));
  EXPECT_THAT(s->channels[0].events, ElementsAre("run-failed"));
  EXPECT_EQ(s->channels[0].pointer, "/notifications/0");
  EXPECT_EQ(s->auths["example.com:8080"]["value"], "xyz");
  EXPECT_TRUE(s->warnings.empty());
}

TEST(SettingsFile, EveryKeyNotUnderstoodGetsOneWarningNamingIt) {
  Json doc = {{"auths", Json::object()},
              {"vault", {{"addr", "http://v"}}},
              {"extensions", Json::array()},
              {"runtime", {{"hypothesis", {{"strategy", "default"}, {"frequency", 2}}}}},
              {"notifications",
               Json::array({{{"type", "http"}, {"url", "http://h"}, {"retries", 3}},
                            {{"type", "plugin"}, {"module", "chaosslack.notification"}}})}};
  auto s = ParseSettings(doc, "s.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  ASSERT_EQ(s->warnings.size(), 5u);
  EXPECT_THAT(s->warnings[0], HasSubstr("s.yaml: /vault: not a setting chaosrun reads"));
  EXPECT_THAT(s->warnings[1], HasSubstr("s.yaml: /extensions: not a setting chaosrun reads"));
  EXPECT_THAT(s->warnings[2], HasSubstr("/runtime/hypothesis/frequency: not read"));
  EXPECT_THAT(s->warnings[3], HasSubstr("/notifications/0/retries: not a key of an http channel"));
  EXPECT_THAT(s->warnings[4],
              HasSubstr("/notifications/1: plugin notification channels (python module "
                        "'chaosslack.notification') are not supported"));
  EXPECT_EQ(s->channels.size(), 1u);
}

TEST(SettingsFile, WrongFieldsAreRefusedNamingTheirPointer) {
  struct Case {
    Json doc;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"runtime", {{"hypothesis", {{"strategy", "sometimes"}}}}}},
       "/runtime/hypothesis/strategy: unknown strategy 'sometimes'"},
      {{{"runtime", {{"rollbacks", {{"strategy", 3}}}}}},
       "/runtime/rollbacks/strategy: must be a strategy name"},
      {{{"runtime", "fast"}}, "/runtime: must be a mapping"},
      {{{"controls", Json::array()}}, "/controls: must be a mapping"},
      {{{"controls", {{"c", {{"name", "c"}}}}}}, "/controls/c/provider: a control needs"},
      {{{"notifications", {{"type", "http"}}}}, "/notifications: must be a list"},
      {{{"notifications", Json::array({{{"type", "smtp"}}})}}, "/notifications/0/type: must be"},
      {{{"notifications", Json::array({{{"type", "http"}}})}}, "/notifications/0/url: an http"},
      {{{"notifications", Json::array({{{"type", "http"}, {"url", "ftp://x"}}})}},
       "/notifications/0/url: must start with http:// or https://"},
      {{{"notifications",
         Json::array({{{"type", "http"}, {"url", "http://x"}, {"verify_tls", 0}}})}},
       "/notifications/0/verify_tls: must be true or false"},
      {{{"notifications",
         Json::array({{{"type", "http"}, {"url", "http://x"}, {"headers", {{"X", "a\nb"}}}}})}},
       "/notifications/0/headers/X: must not contain a line break"},
      {{{"notifications", Json::array({{{"type", "http"}, {"url", "http://x"}, {"events", "x"}}})}},
       "/notifications/0/events: must be a list"},
      {{{"auths", {{"h", {{"type", "bearer"}}}}}}, "/auths/h/value: must be a string"},
      {Json::array(), "the settings document must be a mapping"},
  };
  for (const auto& c : cases) {
    auto s = ParseSettings(c.doc, "s.yaml");
    ASSERT_FALSE(s.has_value()) << c.doc.dump();
    EXPECT_THAT(s.error().message(), HasSubstr("--settings s.yaml: "));
    EXPECT_THAT(s.error().message(), HasSubstr(c.message)) << c.doc.dump();
  }
}

TEST(SettingsFile, SyntaxErrorsNameTheFileLineAndColumn) {
  testing::TempDir dir;
  std::string yaml = dir.Write("bad.yaml", "runtime:\n  hypothesis: [a\n");
  auto y = LoadSettings(yaml);
  ASSERT_FALSE(y.has_value());
  EXPECT_THAT(y.error().message(), HasSubstr("--settings " + yaml + ":"));
  EXPECT_EQ(y.error().code(), Code::kParseError);
  std::string json = dir.Write("bad.json", "{\n  \"runtime\": {}\n  \"controls\": {}\n}\n");
  auto j = LoadSettings(json);
  ASSERT_FALSE(j.has_value());
  EXPECT_THAT(j.error().message(), HasSubstr("--settings " + json + ":3:"));
}

TEST(SettingsFile, AMissingFileIsAnErrorAndAnEmptyOneIsNoSettings) {
  testing::TempDir dir;
  auto missing = LoadSettings((dir.path() / "nope.yaml").string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message(), HasSubstr("nope.yaml: no such file"));
  auto empty = LoadSettings(dir.Write("empty.yaml", ""));
  ASSERT_TRUE(empty.has_value()) << empty.error().message();
  EXPECT_FALSE(empty->hypothesis_strategy);
  EXPECT_TRUE(empty->channels.empty());
  EXPECT_TRUE(empty->warnings.empty());
}

TEST(SettingsFile, TheCommandLineBeatsTheExperimentWhichBeatsTheSettings) {
  Settings s;
  s.hypothesis_strategy = engine::HypothesisStrategy::kBeforeMethodOnly;
  s.rollback_strategy = engine::RollbackStrategy::kNever;
  const Json plain = {{"title", "t"}};
  // No runtime block: the settings fill what the command line leaves open.
  engine::RunOptions o;
  o.rollback_strategy = engine::RollbackStrategy::kAlways;
  ApplyRuntime(s, plain, o);
  EXPECT_EQ(o.hypothesis_strategy, engine::HypothesisStrategy::kBeforeMethodOnly);
  EXPECT_EQ(o.rollback_strategy, engine::RollbackStrategy::kAlways);
  // An empty runtime block is no block (the reference's `if experiment.get("runtime")`).
  engine::RunOptions e;
  ApplyRuntime(s, {{"runtime", Json::object()}}, e);
  EXPECT_EQ(e.rollback_strategy, engine::RollbackStrategy::kNever);
  // A runtime block decides, even for a strategy it leaves out (the engine reads it).
  engine::RunOptions r;
  ApplyRuntime(s, {{"runtime", {{"rollbacks", {{"strategy", "deviated"}}}}}}, r);
  EXPECT_FALSE(r.hypothesis_strategy);
  EXPECT_FALSE(r.rollback_strategy);
}

TEST(SettingsFile, ControlsGoAheadOfTheControlFilesInAPrivateFile) {
  Settings s;
  s.controls = {{"rec", {{"provider", {{"type", "python"}, {"module", "recorder"}}}}}};
  engine::RunOptions o;
  o.control_files = {"later.json"};
  std::unique_ptr<ControlsFile> file;
  ASSERT_TRUE(ApplySettings(s, Json::object(), o, file).ok());
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(o.control_files.size(), 2u);
  EXPECT_EQ(o.control_files[0], file->path());
  EXPECT_EQ(o.control_files[1], "later.json");
  auto loaded = engine::LoadControlFiles({file->path()});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  EXPECT_EQ(*loaded, s.controls);
  EXPECT_EQ(std::filesystem::status(file->path()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string path = file->path();
  file.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace chaosrun::session
