#include "fixture.h"

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/cancel.h"
#include "support/process_helpers.h"

extern char** environ;

namespace chaosrun::process_driver_test {

std::unique_ptr<plugin::Driver> ProcessDriverTest::driver_;
std::string ProcessDriverTest::load_error_;

std::string DriverPath() {
  std::filesystem::path bin(CHAOSRUN_BINARY);
  return (bin.parent_path().parent_path() / "lib/chaosrun/drivers/libchaosrun_process.so").string();
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds cap) {
  auto deadline = std::chrono::steady_clock::now() + cap;
  long pause_ns = 1000000;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    timespec ts{0, pause_ns};
    ::nanosleep(&ts, nullptr);
    pause_ns = std::min(pause_ns * 2, 20000000L);
  }
  return true;
}

char StateOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return '?';
  return text[close + 2];
}

void ProcessDriverTest::SetUpTestSuite() {
  chaosrun::testing::BecomeChildSubreaper();
  if (driver_) return;
  std::string path = DriverPath();
  if (!std::filesystem::exists(path)) {
    load_error_ = "the process driver is not built: " + path +
                  " is missing (build the target chaosrun_driver_process)";
    return;
  }
  auto d = plugin::Driver::Load(path);
  if (!d) {
    load_error_ = "cannot load " + path + ": " + d.error().ToString();
    return;
  }
  driver_ = std::move(*d);
}

void ProcessDriverTest::TearDownTestSuite() {}

void ProcessDriverTest::SetUp() { ASSERT_TRUE(driver_ != nullptr) << load_error_; }

void ProcessDriverTest::TearDown() {
  for (pid_t pid : adopted_) KillAndReap(pid);
  for (pid_t pid : children_) KillAndReap(pid);
}

void ProcessDriverTest::KillAndReap(pid_t pid) {
  if (pid <= 1) return;
  ::kill(pid, SIGCONT);
  ::kill(pid, SIGKILL);
  Reap(pid);
}

void ProcessDriverTest::Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

plugin::CallResult ProcessDriverTest::Prepare(const std::string& func, const Json& args) {
  return driver_->Prepare(func, args, CancelToken());
}
plugin::CallResult ProcessDriverTest::Apply(const std::string& func, const Json& plan) {
  return driver_->Apply(func, plan, CancelToken());
}
plugin::CallResult ProcessDriverTest::Undo(const std::string& func, const Json& undo) {
  return driver_->Undo(func, undo, CancelToken());
}
plugin::CallResult ProcessDriverTest::Probe(const std::string& func, const Json& args) {
  return driver_->Probe(func, args, CancelToken());
}

pid_t ProcessDriverTest::Spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
  if (rc != 0) return -1;
  children_.push_back(pid);
  return pid;
}

std::string ProcessDriverTest::SleepCopy() {
  // At most 15 bytes, the length of a process name (/proc/PID/comm).
  std::string name = "crt" + std::to_string(::getpid()) + "_" + std::to_string(++counter_);
  std::filesystem::path p = tmp_.path() / name;
  std::filesystem::copy_file("/bin/sleep", p);
  std::filesystem::permissions(p, std::filesystem::perms::owner_all);
  return p.string();
}

std::string ProcessDriverTest::UniqueSeconds() {
  return "300." + std::to_string(::getpid()) + std::to_string(++counter_);
}

std::vector<int> ProcessDriverTest::RunningPids(const Json& selector) {
  plugin::CallResult r = Probe("running", selector);
  EXPECT_TRUE(r.ok()) << r.error();
  if (!r.ok()) return {};
  return r.value["pids"].get<std::vector<int>>();
}

}  // namespace chaosrun::process_driver_test
