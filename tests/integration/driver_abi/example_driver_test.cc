// The example driver (drivers/example), as built in this tree, through the host's loader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "abi_test_util.h"
#include "common/cancel.h"
#include "example_round_trip.h"
#include "plugin/driver.h"
#include "plugin/registry.h"
#include "plugin/schema.h"
#include "support/temp_dir.h"

namespace chaosrun::abi_test {
namespace {

namespace fs = std::filesystem;
using plugin::Driver;

fs::path InTreeDriverDir() { return BuildDir() / "lib" / "chaosrun" / "drivers"; }

class ExampleDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path so = InTreeDriverDir() / "libchaosrun_example.so";
    ASSERT_TRUE(fs::exists(so)) << so << " is missing: build the chaosrun_driver_example target";
    auto d = Driver::Load(so.string());
    ASSERT_TRUE(d.has_value()) << d.error().message();
    driver_ = std::move(*d);
  }

  plugin::CallResult Prepare(const Json& args) { return driver_->Prepare("create_file", args, {}); }
  plugin::CallResult Apply(const Json& plan) { return driver_->Apply("create_file", plan, {}); }
  plugin::CallResult Undo(const Json& undo) { return driver_->Undo("create_file", undo, {}); }

  testing::TempDir tmp_;
  std::unique_ptr<Driver> driver_;
};

TEST_F(ExampleDriver, DescribesItself) {
  const auto& d = driver_->descriptor();
  EXPECT_EQ(d.name, "example");
  EXPECT_EQ(d.version, "1.0.0");
  EXPECT_FALSE(d.description.empty());
  ASSERT_EQ(d.actions.size(), 1u);
  ASSERT_EQ(d.probes.size(), 1u);
  ASSERT_NE(d.FindAction("create_file"), nullptr);
  ASSERT_NE(d.FindProbe("file_exists"), nullptr);
  EXPECT_EQ(d.FindAction("create_file")->arguments_schema["required"], Json::array({"path"}));
  EXPECT_EQ(d.FindProbe("file_exists")->arguments_schema["required"], Json::array({"path"}));
}

TEST_F(ExampleDriver, SchemasCatchMistakesBeforeTheDriverRuns) {
  const Json& schema = driver_->descriptor().FindAction("create_file")->arguments_schema;
  const std::string base = "/method/0/provider/arguments";
  EXPECT_TRUE(plugin::CheckAgainstSchema(schema, Json{{"path", "/x"}}, base).empty());
  EXPECT_TRUE(
      plugin::CheckAgainstSchema(schema, Json{{"path", "/x"}, {"content", "y"}}, base).empty());
  auto ps = plugin::CheckAgainstSchema(schema, Json{{"path", 3}}, base);
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(ps[0].first, base + "/path");
  EXPECT_FALSE(plugin::CheckAgainstSchema(schema, Json::object(), base).empty());
  EXPECT_FALSE(plugin::CheckAgainstSchema(schema, Json{{"path", ""}}, base).empty());
  EXPECT_FALSE(
      plugin::CheckAgainstSchema(schema, Json{{"path", "/x"}, {"contnet", "typo"}}, base).empty());
}

TEST_F(ExampleDriver, RoundTrip) { ExpectExampleRoundTrip(*driver_, tmp_.path()); }

TEST_F(ExampleDriver, UndoIsSafeWhenApplyNeverRan) {
  auto plan = Prepare(Json{{"path", (tmp_.path() / "never").string()}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["undo"]["content"], "");  // content defaults to empty
  auto r = Undo(plan.value["undo"]);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value["deleted"], false);
}

TEST_F(ExampleDriver, PrepareRefusesWhatItCouldNotUndoSafely) {
  const std::string existing = tmp_.Write("precious", "user data");
  auto r = Prepare(Json{{"path", existing}});
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_NE(r.error().find("already exists"), std::string::npos) << r.error();
  EXPECT_EQ(Slurp(existing), "user data");

  // A dangling symbolic link counts as existing: creating through it would write elsewhere.
  fs::create_symlink(tmp_.path() / "nowhere", tmp_.path() / "dangling");
  r = Prepare(Json{{"path", (tmp_.path() / "dangling").string()}});
  EXPECT_EQ(r.status, CHAOSRUN_FAILED) << r.error();

  r = Prepare(Json{{"path", (tmp_.path() / "no_dir" / "flag").string()}});
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_NE(r.error().find("does not exist"), std::string::npos) << r.error();
}

TEST_F(ExampleDriver, UndoLeavesAFileThatChangedSinceApply) {
  const fs::path flag = tmp_.path() / "flag";
  auto plan = Prepare(Json{{"path", flag.string()}, {"content", "ours"}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply(plan.value).ok());
  std::ofstream(flag, std::ios::app) << " and then someone else's";
  auto r = Undo(plan.value["undo"]);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value["deleted"], false);
  EXPECT_EQ(r.value["changed"], true);
  EXPECT_EQ(Slurp(flag), "ours and then someone else's");

  // Replaced by a symbolic link to a file holding the same text: still not ours.
  fs::remove(flag);
  const std::string other = tmp_.Write("other", "ours");
  fs::create_symlink(other, flag);
  r = Undo(plan.value["undo"]);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value["deleted"], false);
  EXPECT_TRUE(fs::is_symlink(flag));
  EXPECT_EQ(Slurp(other), "ours");
}

TEST_F(ExampleDriver, ApplyNeverOverwritesAFileThatAppearedAfterPrepare) {
  const fs::path flag = tmp_.path() / "flag";
  auto plan = Prepare(Json{{"path", flag.string()}, {"content", "ours"}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  tmp_.Write("flag", "theirs");
  auto r = Apply(plan.value);
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_EQ(Slurp(flag), "theirs");
  // ...and the undo of that failed apply leaves their file alone too.
  ASSERT_TRUE(Undo(plan.value["undo"]).ok());
  EXPECT_EQ(Slurp(flag), "theirs");
}

TEST_F(ExampleDriver, ACancelledApplyChangesNothing) {
  const fs::path flag = tmp_.path() / "flag";
  auto plan = Prepare(Json{{"path", flag.string()}});
  ASSERT_TRUE(plan.ok()) << plan.error();
  CancelSource source;
  source.Cancel("test");
  auto r = driver_->Apply("create_file", plan.value, source.token());
  EXPECT_EQ(r.status, CHAOSRUN_CANCELLED);
  EXPECT_FALSE(fs::exists(flag));
}

TEST_F(ExampleDriver, RelativePathsAreResolvedInPrepare) {
  const fs::path old_cwd = fs::current_path();
  fs::current_path(tmp_.path());
  auto plan = Prepare(Json{{"path", "sub/../rel_flag"}});
  fs::current_path(old_cwd);
  ASSERT_TRUE(plan.ok()) << plan.error();
  const std::string abs = (fs::canonical(tmp_.path()) / "rel_flag").string();
  EXPECT_EQ(plan.value["undo"]["path"], abs);
  EXPECT_EQ(plan.value["targets"], Json::array({"file:rel_flag/" + abs}));
}

TEST_F(ExampleDriver, RefusesMalformedInput) {
  EXPECT_EQ(Prepare(Json::object()).status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Prepare(Json{{"path", ""}}).status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Prepare(Json{{"path", "/x"}, {"content", 5}}).status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Apply(Json{{"path", "/x"}}).status, CHAOSRUN_INVALID_ARGUMENT);  // no content
  EXPECT_EQ(Undo(Json::array()).status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(driver_->Probe("file_exists", Json::object(), {}).status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(driver_->Probe("nope", Json::object(), {}).status, CHAOSRUN_UNSUPPORTED);
  EXPECT_EQ(driver_->Prepare("nope", Json::object(), {}).status, CHAOSRUN_UNSUPPORTED);
}

TEST(ShippedDrivers, EveryDriverInTheBuildTreeLoads) {
  plugin::Registry registry;
  registry.LoadDirectory(InTreeDriverDir().string(), /*must_exist=*/true);
  std::string errors;
  for (const auto& e : registry.errors()) errors += "  " + e + "\n";
  EXPECT_TRUE(registry.errors().empty()) << errors;
  EXPECT_NE(registry.Find("example"), nullptr);
}

}  // namespace
}  // namespace chaosrun::abi_test
