// Shared fixture of the process driver's integration tests: the BUILT libchaosrun_process.so
// loaded through the host's real loader (plugin::Driver::Load), and child processes that only
// these tests start — copies of /bin/sleep under unique names and `sleep` with unique
// arguments — so no selector can ever match anything else. Everything started is killed and
// reaped at teardown (this binary is the subreaper of the daemons a restart starts).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "plugin/driver.h"
#include "support/temp_dir.h"

namespace chaosrun::process_driver_test {

// <build>/lib/chaosrun/drivers/libchaosrun_process.so, next to <build>/bin/chaosrun.
std::string DriverPath();

// Polls `done` (1 ms growing to 20 ms pauses) for at most `cap`; for effects that are
// asynchronous by nature, such as signal delivery. Never used to measure time.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds cap = std::chrono::seconds(10));

// The state letter of /proc/PID/stat ('?' once the pid is gone).
char StateOf(pid_t pid);

class ProcessDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  plugin::CallResult Prepare(const std::string& func, const Json& args);
  plugin::CallResult Apply(const std::string& func, const Json& plan);
  plugin::CallResult Undo(const std::string& func, const Json& undo);
  plugin::CallResult Probe(const std::string& func, const Json& args);

  // Starts argv as our child (killed and reaped at teardown).
  pid_t Spawn(const std::vector<std::string>& argv);
  // A copy of /bin/sleep named crt<pid>_<n> in the temp dir; returns its path.
  std::string SleepCopy();
  // "300.<unique digits>": an argument no other process on the machine has.
  std::string UniqueSeconds();
  // Kills and reaps `pid` at teardown (a daemon a restart started).
  void Adopt(pid_t pid) { adopted_.push_back(pid); }
  // Kills (SIGKILL) and reaps a child now.
  static void KillAndReap(pid_t pid);
  // Reaps a child that has exited or is about to.
  static void Reap(pid_t pid);
  // The pids a `running` probe reports, or an empty list.
  std::vector<int> RunningPids(const Json& selector);

  static plugin::Driver* driver() { return driver_.get(); }

  chaosrun::testing::TempDir tmp_;
  std::vector<pid_t> children_;
  std::vector<pid_t> adopted_;

 private:
  static std::unique_ptr<plugin::Driver> driver_;
  static std::string load_error_;
  int counter_ = 0;
};

}  // namespace chaosrun::process_driver_test
