// "concurrent_calls" in a driver's descriptor: with it, the host lets an undo run while a probe on
// the same instance is still in progress; without it, calls on one instance are serialised.
// Real drivers (tests/drivers/concurrent_driver.cc and serial_driver.cc, loaded with dlopen); the
// states are reached through marker files the driver writes, never by sleeping.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/cancel.h"
#include "plugin/driver.h"
#include "support/temp_dir.h"

namespace chaosrun::plugin {
namespace {

using chaosrun::testing::TempDir;

std::string ConcTestDriverPath(const std::string& name) {
  return (std::filesystem::path(CHAOSRUN_BINARY).parent_path().parent_path() / "test-drivers" /
          ("lib" + name + "_driver.so"))
      .string();
}

// Polls (a few seconds of real time at most) until `path` exists.
bool ConcAwaitFile(const std::filesystem::path& path) {
  for (int i = 0; i < 2000; ++i) {
    if (std::filesystem::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::filesystem::exists(path);
}

std::string ConcReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<Driver> ConcLoad(const std::string& name) {
  auto d = Driver::Load(ConcTestDriverPath(name));
  if (!d) {
    ADD_FAILURE() << d.error().message();
    return nullptr;
  }
  return std::move(*d);
}

TEST(ConcurrentCalls, DescriptorFlagIsReadAndDefaultsToSerialised) {
  auto on = ParseDescriptor(R"({"name": "x", "version": "1", "concurrent_calls": true})");
  ASSERT_TRUE(on.has_value()) << on.error().message();
  EXPECT_TRUE(on->concurrent_calls);
  auto off = ParseDescriptor(R"({"name": "x", "version": "1", "concurrent_calls": false})");
  ASSERT_TRUE(off.has_value()) << off.error().message();
  EXPECT_FALSE(off->concurrent_calls);
  auto unset = ParseDescriptor(R"({"name": "x", "version": "1"})");
  ASSERT_TRUE(unset.has_value()) << unset.error().message();
  EXPECT_FALSE(unset->concurrent_calls);
}

TEST(ConcurrentCalls, NonBoolIsRefusedNamingTheKey) {
  for (const char* bad : {R"("yes")", "1", "null", "[]", "{}"}) {
    auto d = ParseDescriptor(std::string(R"({"name": "x", "version": "1", "concurrent_calls": )") +
                             bad + "}");
    ASSERT_FALSE(d.has_value()) << bad;
    EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
    EXPECT_NE(d.error().message().find("concurrent_calls"), std::string::npos)
        << d.error().message();
  }
}

TEST(ConcurrentCalls, UndoCompletesWhileAProbeOnTheSameInstanceIsBlocked) {
  TempDir dir;
  auto driver = ConcLoad("concurrent");
  ASSERT_NE(driver, nullptr);
  EXPECT_TRUE(driver->descriptor().concurrent_calls);
  Json args = {{"dir", dir.path().string()}};
  CancelSource probe_cancel;
  CallResult probe;
  std::thread t([&] { probe = driver->Probe("wait", args, probe_cancel.token()); });
  ASSERT_TRUE(ConcAwaitFile(dir.path() / "probe_started"));

  // The probe is blocked (no release file); the undo reaches the driver and returns anyway.
  CallResult undo = driver->Undo("fault", args, CancelSource().token());
  EXPECT_TRUE(undo.ok()) << undo.error();
  EXPECT_EQ(ConcReadFile(dir.path() / "undone"), "while_probe");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "probe_returned"));

  // Each call's cancellation is its own: cancelling the probe stops the probe.
  probe_cancel.Cancel("test");
  t.join();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe.value["cancelled"], true);
  EXPECT_EQ(probe.value["released"], false);
}

TEST(ConcurrentCalls, WithoutTheFlagTheUndoWaitsForTheProbe) {
  TempDir dir;
  auto driver = ConcLoad("serial");
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->descriptor().concurrent_calls);
  Json args = {{"dir", dir.path().string()}};
  CallResult probe;
  std::thread t([&] { probe = driver->Probe("wait", args, CancelSource().token()); });
  ASSERT_TRUE(ConcAwaitFile(dir.path() / "probe_started"));

  // An undo whose token is already cancelled gives up waiting without reaching the driver.
  CancelSource cancelled;
  cancelled.Cancel("test");
  CallResult refused = driver->Undo("fault", args, cancelled.token());
  EXPECT_EQ(refused.status, CHAOSRUN_CANCELLED);
  EXPECT_NE(refused.error().find("waiting for driver serial"), std::string::npos)
      << refused.error();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "undone"));

  // An undo that may wait runs only once the probe has returned.
  CallResult undo;
  std::thread u([&] { undo = driver->Undo("fault", args, CancelSource().token()); });
  std::ofstream(dir.path() / "release").put('\n');
  t.join();
  u.join();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe.value["released"], true);
  EXPECT_TRUE(undo.ok()) << undo.error();
  EXPECT_EQ(ConcReadFile(dir.path() / "undone"), "idle");
}

}  // namespace
}  // namespace chaosrun::plugin
