// A FaultManager with the stubborn test driver (tests/drivers/stubborn_driver.cc) and a manual
// fake clock: undos that fail, hang or ignore cancellation on request, time that moves only when
// the test says so.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "faults/fault_manager.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace chaosrun::faults {

inline std::string StubbornDriverPath() {
  return (std::filesystem::path(CHAOSRUN_BINARY).parent_path().parent_path() / "test-drivers" /
          "libstubborn_driver.so")
      .string();
}

// Waits (bounded, a few seconds of real time at most) until `pred` holds: the watchdog and the
// undo threads run on their own.
template <typename Pred>
bool WaitFor(Pred pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

class StubbornTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(StubbornDriverPath()))
        << "build the test driver first: " << StubbornDriverPath();
    ASSERT_TRUE(registry_.LoadFile(StubbornDriverPath()).ok());
    state_ = (dir_.path() / "state").string();
  }

  std::unique_ptr<FaultManager> Make(std::vector<guard::Policy> layers = {},
                                     bool log_applied = false) {
    guard_ = std::make_unique<guard::Guard>(std::move(layers), guard::ProtectedPids());
    return std::make_unique<FaultManager>(registry_, *guard_, clock_,
                                          Options{"run-1", state_, log_applied});
  }

  static Json Provider(Json args, const std::string& func = "fault",
                       std::optional<double> duration = std::nullopt) {
    Json p = {{"type", "driver"}, {"driver", "stubborn"}, {"func", func}, {"arguments", args}};
    if (duration) p["duration"] = *duration;
    return p;
  }

  // A directory for a blocking undo's marker files.
  std::string MarkerDir(const std::string& name) {
    auto p = dir_.path() / name;
    std::filesystem::create_directories(p);
    return p.string();
  }
  static bool Marked(const std::string& dir, const char* marker) {
    return std::filesystem::exists(std::filesystem::path(dir) / marker);
  }
  // Lets a blocking undo return, and waits until it has.
  static bool ReleaseBlocked(const std::string& dir) {
    std::ofstream(std::filesystem::path(dir) / "release") << "go";
    return WaitFor([&] { return Marked(dir, "returned"); });
  }

  // Ledger records of kind `op` ("undo-failed", "reverted", ...).
  int LedgerRecords(const std::string& op) {
    std::ifstream in(state_ + "/ledger.jsonl");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      Json j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.value("op", "") == op) ++n;
    }
    return n;
  }

  static int Lines(const std::string& path, const std::string& needle = "") {
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      if (line.find(needle) != std::string::npos) ++n;
    }
    return n;
  }

  ::chaosrun::testing::TempDir dir_;
  std::string state_;
  ::chaosrun::testing::FakeClock clock_{/*auto_advance=*/false};
  plugin::Registry registry_;
  std::unique_ptr<guard::Guard> guard_;
};

inline const Json kStubbornActivity = {{"type", "action"}, {"name", "stubborn fault"}};

}  // namespace chaosrun::faults
