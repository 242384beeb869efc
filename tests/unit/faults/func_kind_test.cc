// What a driver func is (faults/func_kind.h), what the run's dispatcher tells the engine about it,
// and FaultManager::Run's refusal of a driver action named by an activity that is not an action
// (validation says so too; this is the defence under --no-validation). Uses the real example
// driver (.so): create_file is an action, file_exists a probe.
#include "faults/func_kind.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "faults/dispatcher.h"
#include "faults/fault_manager.h"
#include "faults/recover.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace chaosrun::faults {
namespace {

namespace fs = std::filesystem;

std::string ExampleDriverSo() {
  return (fs::path(CHAOSRUN_BINARY).parent_path().parent_path() / "lib" / "chaosrun" / "drivers" /
          "libchaosrun_example.so")
      .string();
}

Json ExampleProvider(const std::string& func, const std::string& path) {
  return {{"type", "driver"},
          {"driver", "example"},
          {"func", func},
          {"arguments", {{"path", path}, {"content", "chaos"}}}};
}

class FuncKindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.LoadFile(ExampleDriverSo()).ok()) << ExampleDriverSo();
    file_ = (dir_.path() / "flag").string();
    state_ = (dir_.path() / "state").string();
    fm_ = std::make_unique<FaultManager>(registry_, guard_, clock_, Options{"run-k", state_});
  }

  testing::TempDir dir_;
  std::string file_, state_;
  testing::FakeClock clock_{/*auto_advance=*/false};
  plugin::Registry registry_;
  guard::Guard guard_{{}, guard::ProtectedPids()};
  std::unique_ptr<FaultManager> fm_;
};

TEST_F(FuncKindTest, ActionsProbesAndUnknownFuncs) {
  EXPECT_EQ(DriverFuncKind(registry_, ExampleProvider("create_file", file_)), FuncKind::kAction);
  EXPECT_EQ(DriverFuncKind(registry_, ExampleProvider("file_exists", file_)), FuncKind::kProbe);
  EXPECT_EQ(DriverFuncKind(registry_, ExampleProvider("nope", file_)), FuncKind::kUnknown);
  Json other = ExampleProvider("create_file", file_);
  other["driver"] = "absent";
  EXPECT_EQ(DriverFuncKind(registry_, other), FuncKind::kUnknown);
  EXPECT_EQ(DriverFuncKind(registry_, Json("not an object")), FuncKind::kUnknown);

  // What cannot be proven harmless changes the world.
  EXPECT_TRUE(DriverChangesWorld(registry_, ExampleProvider("create_file", file_)));
  EXPECT_TRUE(DriverChangesWorld(registry_, ExampleProvider("nope", file_)));
  EXPECT_FALSE(DriverChangesWorld(registry_, ExampleProvider("file_exists", file_)));
}

TEST_F(FuncKindTest, TheRunDispatcherSaysADriverActionChangesTheWorld) {
  FaultDispatcher dispatcher(*fm_);
  EXPECT_TRUE(dispatcher.ChangesWorld(ExampleProvider("create_file", file_)));
  EXPECT_FALSE(dispatcher.ChangesWorld(ExampleProvider("file_exists", file_)));
  // Process and http providers leave it to the activity's type.
  EXPECT_FALSE(dispatcher.ChangesWorld(Json{{"type", "process"}, {"path", "true"}}));
  EXPECT_FALSE(dispatcher.ChangesWorld(Json{{"type", "http"}, {"url", "http://127.0.0.1/"}}));
}

TEST_F(FuncKindTest, AnActionNamedByAProbeIsRefusedBeforePrepare) {
  for (const Json& activity : {Json{{"type", "probe"}, {"name", "sneaky"}},
                               Json{{"name", "untyped"}}, Json{{"type", 3}, {"name", "odd"}}}) {
    auto out = fm_->Run(activity, ExampleProvider("create_file", file_), CancelToken());
    ASSERT_EQ(out.kind, providers::Outcome::Kind::kRefused) << DumpCompact(activity);
    EXPECT_EQ(out.refusal["phase"], "activity-type");
    EXPECT_NE(out.error.find("'create_file' is an action of driver 'example'"), std::string::npos)
        << out.error;
  }
  EXPECT_FALSE(fs::exists(file_));
  EXPECT_EQ(fm_->applied_count(), 0u);
  auto pending = PendingFaults(state_);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, 0u);  // never prepared, never recorded
}

TEST_F(FuncKindTest, AProbeNamedByAnActionFails) {
  auto out = fm_->Run(Json{{"type", "action"}, {"name", "mislabelled"}},
                      ExampleProvider("file_exists", file_), CancelToken());
  ASSERT_EQ(out.kind, providers::Outcome::Kind::kFailed);
  EXPECT_EQ(out.error, "'file_exists' is a probe of driver 'example'; this activity is an action");
}

TEST_F(FuncKindTest, MatchingKindsRun) {
  auto probe = fm_->Run(Json{{"type", "probe"}, {"name", "p"}},
                        ExampleProvider("file_exists", file_), CancelToken());
  ASSERT_EQ(probe.kind, providers::Outcome::Kind::kSucceeded) << probe.error;
  auto action = fm_->Run(Json{{"type", "action"}, {"name", "a"}},
                         ExampleProvider("create_file", file_), CancelToken());
  ASSERT_EQ(action.kind, providers::Outcome::Kind::kSucceeded) << action.error;
  EXPECT_TRUE(fs::exists(file_));
  fm_->UndoAll("end of run");
  EXPECT_FALSE(fs::exists(file_));
}

}  // namespace
}  // namespace chaosrun::faults
