// The fault lifecycle with the real example driver (.so) and a fake clock: the watchdog, the
// guard and the kill switch are exercised without waiting for real time.
#include "faults/fault_manager.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "faults/recover.h"
#include "ledger/ledger.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace chaosrun::faults {
namespace {

namespace fs = std::filesystem;

std::string ExampleDriverPath() {
  return (fs::path(CHAOSRUN_BINARY).parent_path().parent_path() / "lib" / "chaosrun" / "drivers" /
          "libchaosrun_example.so")
      .string();
}

// Waits (bounded) until `pred` holds: the watchdog runs on its own thread.
template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

class FaultManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(ExampleDriverPath()))
        << "build the example driver first: " << ExampleDriverPath();
    ASSERT_TRUE(registry_.LoadFile(ExampleDriverPath()).ok());
    state_ = (dir_.path() / "state").string();
  }

  std::unique_ptr<FaultManager> Make(std::vector<guard::Policy> layers = {}) {
    guard_ = std::make_unique<guard::Guard>(std::move(layers), guard::ProtectedPids());
    return std::make_unique<FaultManager>(registry_, *guard_, clock_, Options{"run-1", state_});
  }

  Json Provider(const std::string& file, std::optional<double> duration = std::nullopt) {
    Json p = {{"type", "driver"},
              {"driver", "example"},
              {"func", "create_file"},
              {"arguments", {{"path", file}, {"content", "chaos"}}}};
    if (duration) p["duration"] = *duration;
    return p;
  }

  size_t Pending() {
    auto n = PendingFaults(state_);
    return n ? *n : 999;
  }

  testing::TempDir dir_;
  std::string state_;
  testing::FakeClock clock_{/*auto_advance=*/false};
  plugin::Registry registry_;
  std::unique_ptr<guard::Guard> guard_;
};

const Json kActivity = {{"type", "action"}, {"name", "flag"}};

TEST_F(FaultManagerTest, AppliesRecordsAndUndoesAtTheEnd) {
  auto fm = Make();
  std::string file = (dir_.path() / "flag").string();
  auto out = fm->Run(kActivity, Provider(file), CancelToken());
  ASSERT_EQ(out.kind, providers::Outcome::Kind::kSucceeded) << out.error;
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(out.output["targets"][0], "file:flag/" + file);
  EXPECT_EQ(Pending(), 1u);  // the intent is on disk while the fault exists
  EXPECT_EQ(fm->applied_count(), 1u);
  Json undo = fm->UndoAll("end of run");
  ASSERT_EQ(undo.size(), 1u);
  EXPECT_EQ(undo[0]["status"], "succeeded");
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(Pending(), 0u);
  EXPECT_EQ(fs::file_size(state_ + "/ledger.jsonl"), 0u);
  EXPECT_EQ(fm->Summary()[0]["undone"], true);
}

TEST_F(FaultManagerTest, WatchdogUndoesAtTheDeadlineOnTheInjectedClock) {
  auto fm = Make();
  std::string file = (dir_.path() / "flag").string();
  ASSERT_EQ(fm->Run(kActivity, Provider(file, 30), CancelToken()).kind,
            providers::Outcome::Kind::kSucceeded);
  clock_.Advance(std::chrono::seconds(29));
  // Not yet: give the watchdog every chance to (wrongly) act, then check.
  ASSERT_TRUE(Eventually([&] { return clock_.sleepers() >= 1; }));
  EXPECT_TRUE(fs::exists(file));
  clock_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(Eventually([&] { return !fs::exists(file); }));
  Json records = fm->TakeWatchdogRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0]["reason"].get<std::string>().find("watchdog"), std::string::npos);
  EXPECT_EQ(fm->UndoAll("end of run").size(), 0u);  // nothing left to undo
}

TEST_F(FaultManagerTest, PolicyMaxDurationBecomesTheDeadline) {
  auto p = guard::ParsePolicy(Json{{"max-duration", 10}}, "policy");
  ASSERT_TRUE(p.has_value());
  auto fm = Make({*p});
  std::string file = (dir_.path() / "flag").string();
  // Asking for longer than allowed is refused, and nothing is created.
  auto refused = fm->Run(kActivity, Provider(file, 60), CancelToken());
  EXPECT_EQ(refused.kind, providers::Outcome::Kind::kRefused);
  EXPECT_NE(refused.error.find("max-duration"), std::string::npos);
  EXPECT_FALSE(fs::exists(file));
  ASSERT_EQ(fm->Run(kActivity, Provider(file), CancelToken()).kind,
            providers::Outcome::Kind::kSucceeded);
  clock_.Advance(std::chrono::seconds(11));
  ASSERT_TRUE(Eventually([&] { return !fs::exists(file); }));
}

TEST_F(FaultManagerTest, DenyPatternRefusesBeforeAnythingIsWritten) {
  auto p = guard::ParsePolicy(Json{{"deny", {"file:flag/*"}}}, "the experiment");
  ASSERT_TRUE(p.has_value());
  auto fm = Make({*p});
  std::string file = (dir_.path() / "flag").string();
  auto out = fm->Run(kActivity, Provider(file), CancelToken());
  EXPECT_EQ(out.kind, providers::Outcome::Kind::kRefused);
  EXPECT_NE(out.error.find("deny pattern 'file:flag/*'"), std::string::npos);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(state_ + "/ledger.jsonl"));  // not even an intent
}

TEST_F(FaultManagerTest, KillSwitchRefusesNewFaults) {
  fs::create_directories(state_);
  std::ofstream(HaltFilePath(state_)) << "test";
  ASSERT_TRUE(Halted(state_));
  auto fm = Make();
  std::string file = (dir_.path() / "flag").string();
  auto out = fm->Run(kActivity, Provider(file), CancelToken());
  EXPECT_EQ(out.kind, providers::Outcome::Kind::kRefused);
  EXPECT_NE(out.error.find("kill switch"), std::string::npos);
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(FaultManagerTest, ProbesAndUnknownFuncs) {
  auto fm = Make();
  std::string file = (dir_.path() / "none").string();
  Json probe = {{"type", "driver"},
                {"driver", "example"},
                {"func", "file_exists"},
                {"arguments", {{"path", file}}}};
  const Json probe_activity = {{"type", "probe"}, {"name", "exists"}};
  auto out = fm->Run(probe_activity, probe, CancelToken());
  ASSERT_EQ(out.kind, providers::Outcome::Kind::kSucceeded) << out.error;
  EXPECT_EQ(out.output, false);
  probe["func"] = "explode";
  EXPECT_EQ(fm->Run(probe_activity, probe, CancelToken()).kind, providers::Outcome::Kind::kFailed);
  probe["driver"] = "nope";
  EXPECT_EQ(fm->Run(probe_activity, probe, CancelToken()).kind, providers::Outcome::Kind::kFailed);
}

TEST_F(FaultManagerTest, RecoverRefusesALiveRunsFaultUnlessForced) {
  std::string file = (dir_.path() / "flag").string();
  auto fm = Make();
  ASSERT_EQ(fm->Run(kActivity, Provider(file), CancelToken()).kind,
            providers::Outcome::Kind::kSucceeded);
  ASSERT_TRUE(fs::exists(file));
  ASSERT_EQ(Pending(), 1u);
  plugin::Registry fresh;  // recover finds the driver from the path in the ledger
  // The run (this process, its FaultManager alive) still owns the fault: refused without --force.
  auto refused = Recover(state_, fresh);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->refused, 1);
  EXPECT_EQ(refused->undone, 0);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(Pending(), 1u);
  auto report = Recover(state_, fresh, {.force = true});
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->undone, 1);
  EXPECT_EQ(report->failed, 0);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(Pending(), 0u);
  auto again = Recover(state_, fresh, {.force = true});
  EXPECT_EQ(again->undone, 0);
}

// A run that ends with a fault still applied (its undo failed) in a process that lives on (a
// daemon): the fault is released, so recover undoes it without --force, as a dead runner's.
TEST_F(FaultManagerTest, AFaultLeftByAnEndedRunIsReleasedForRecover) {
  std::string file = (dir_.path() / "flag").string();
  {
    auto fm = Make();
    ASSERT_EQ(fm->Run(kActivity, Provider(file), CancelToken()).kind,
              providers::Outcome::Kind::kSucceeded);
    // The run ends here without undoing (as after a failed undo).
  }
  ASSERT_TRUE(fs::exists(file));
  ASSERT_EQ(Pending(), 1u) << "a released fault is still pending";
  plugin::Registry fresh;
  auto report = Recover(state_, fresh);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->refused, 0);
  EXPECT_EQ(report->undone, 1);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(Pending(), 0u);
}

}  // namespace
}  // namespace chaosrun::faults
