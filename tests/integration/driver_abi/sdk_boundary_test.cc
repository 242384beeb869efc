// The C++ SDK at the ABI boundary, seen from the host: exceptions thrown inside a driver come
// back as CHAOSRUN_INTERNAL with their message, and the per-call cancellation callback reaches
// the driver (both when the host cancels before the call and while the call is running).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>

#include "abi_test_util.h"
#include "common/cancel.h"
#include "fake_drivers.h"
#include "plugin/driver.h"
#include "plugin/registry.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

namespace chaosrun::abi_test {
namespace {

using plugin::CallResult;
using plugin::Driver;

// Each test compiles the SDK driver into a fresh directory, next to a broken library, and
// loads the directory as chaosrun does.
class SdkBoundary : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(CompileDrivers(tmp_.path(), {{"b_sdk_test", SdkDriver()}}), "");
    tmp_.Write("a_broken.so",
               "\x7f"
               "ELF but not really");
    registry_.LoadDirectory(tmp_.path().string());
    ASSERT_EQ(registry_.errors().size(), 1u);
    EXPECT_NE(registry_.errors()[0].find((tmp_.path() / "a_broken.so").string()), std::string::npos)
        << registry_.errors()[0];
    driver_ = registry_.Find("sdk_test");
    ASSERT_NE(driver_, nullptr);
  }

  testing::TempDir tmp_;
  plugin::Registry registry_;
  Driver* driver_ = nullptr;
};

TEST_F(SdkBoundary, ExceptionsBecomeInternalErrorsAndTheDriverKeepsWorking) {
  CancelToken never;
  CallResult r = driver_->Probe("throw", Json::object(), never);
  EXPECT_EQ(r.status, CHAOSRUN_INTERNAL);
  EXPECT_EQ(r.error(), "driver error: boom from the driver");

  r = driver_->Probe("throw_int", Json::object(), never);
  EXPECT_EQ(r.status, CHAOSRUN_INTERNAL);
  EXPECT_EQ(r.error(), "driver error: unknown exception");

  auto plan = driver_->Prepare("noop", Json{{"throw", true}}, never);
  ASSERT_TRUE(plan.ok()) << plan.error();
  r = driver_->Apply("noop", plan.value, never);
  EXPECT_EQ(r.status, CHAOSRUN_INTERNAL);
  EXPECT_EQ(r.error(), "driver error: apply exploded");

  // The instance is still usable after the exceptions.
  r = driver_->Probe("echo", Json{{"k", Json::array({1, "two"})}}, never);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value, Json::parse(R"({"k": [1, "two"]})"));
  EXPECT_TRUE(driver_->Undo("noop", plan.value["undo"], never).ok());

  r = driver_->Probe("no_such_probe", Json::object(), never);
  EXPECT_EQ(r.status, CHAOSRUN_UNSUPPORTED);
  EXPECT_EQ(r.error(), "no probe named 'no_such_probe'");
}

// KNOWN BUG in driver_sdk.hpp (internal::Guarded): its `catch (nlohmann::json::parse_error&)`
// also catches parse errors thrown by the driver's own code, and reports them as
// CHAOSRUN_INVALID_ARGUMENT "malformed JSON from the host" — a status that promises "nothing was
// changed", although apply may have changed things before throwing. Enable once Guarded parses
// the host's input in its own try block.
TEST_F(SdkBoundary, AJsonParseErrorInsideTheDriverIsInternal) {
  CallResult r = driver_->Probe("parse_error", Json::object(), CancelToken());
  EXPECT_EQ(r.status, CHAOSRUN_INTERNAL) << r.error();
  EXPECT_EQ(r.error().find("from the host"), std::string::npos) << r.error();
}

// (One test for both cases: each test compiles the SDK driver, which takes a while.)
TEST_F(SdkBoundary, CancellationReachesTheDriver) {
  // Cancelled before the call starts: the driver sees it at once.
  CancelSource source;
  source.Cancel("test");
  CallResult r = driver_->Probe("cancel_check", Json::object(), source.token());
  EXPECT_EQ(r.status, CHAOSRUN_CANCELLED);
  EXPECT_EQ(r.error(), "cancelled at once");

  // Cancellation belongs to one call: the next call, with a fresh token, is not cancelled.
  r = driver_->Probe("cancel_check", Json::object(), CancelSource().token());
  EXPECT_EQ(r.status, CHAOSRUN_OK);
  EXPECT_EQ(r.value, true);

  // Cancelled while the call runs in another thread.
  testing::Fifo fifo((tmp_.path() / "started.fifo").string());
  CancelSource running;
  CallResult result;
  std::thread caller([&] {
    result = driver_->Probe("wait_for_cancel", Json{{"fifo", fifo.path()}}, running.token());
    fifo.Release();  // in case the driver failed before writing to the FIFO
  });
  // The driver writes "started" once it is inside the call; then it loops on Cancelled().
  std::string started = fifo.ReadAll();
  running.Cancel("test");
  caller.join();
  EXPECT_EQ(started, "started");
  EXPECT_EQ(result.status, CHAOSRUN_CANCELLED) << result.error();
  EXPECT_EQ(result.error(), "cancelled while waiting");
}

}  // namespace
}  // namespace chaosrun::abi_test
