// One chaosrund per state directory: a second real chaosrund on the same state_dir (listen on
// port 0, so the port would not stop it) is refused with exit 2 before it recovers anything or
// fires a schedule, while the first goes on serving; once the first has stopped, a new one
// starts. States are polled through files with a cap; nothing waits for time to pass.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "common/json.h"
#include "integration/daemon/daemon_harness.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::state_lock_test {
namespace {

namespace fs = std::filesystem;

std::string LockTestRead(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool LockTestPoll(const std::function<bool()>& done) {
  for (int i = 0; i < 6000; ++i) {  // capped at 60 s
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

class StateLock : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = (fs::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string();
    if (!fs::exists(daemon_)) GTEST_SKIP() << "no chaosrund next to chaosrun";
    fs::create_directories(tmp_.path() / "experiments");
    std::string token = tmp_.Write("token", "state-lock-token-0123456789\n");
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    tmp_.Write("experiments/fast.json",
               R"({"title": "fast", "description": "d", "method": [{"type": "action",
                   "name": "noop", "provider": {"type": "process", "path": "true"}}]})");
    // Fires every second: a second daemon on this state would fire it too.
    tmp_.Write("chaosrund.yaml",
               "listen: 127.0.0.1:0\ntoken_file: token\nstate_dir: state\n"
               "experiments_dir: experiments\n"
               "schedules:\n  - {name: tick, experiment: fast, cron: '@every 1s'}\n");
  }
  void TearDown() override {
    for (pid_t pid : pids_) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }

  pid_t Spawn(const std::string& tag) {
    pid_t pid = daemon_test::SpawnWithFiles(
        {daemon_, "--config", (tmp_.path() / "chaosrund.yaml").string()},
        (tmp_.path() / (tag + ".out")).string(), (tmp_.path() / (tag + ".err")).string());
    EXPECT_GT(pid, 0);
    return pid;
  }
  bool Listening(const std::string& tag) {
    return LockTestPoll(
        [&] { return LockTestRead(tmp_.path() / (tag + ".out")).find('\n') != std::string::npos; });
  }
  // The exit code of `pid`, waited for with a cap (-1: still running or killed).
  int ExitOf(pid_t pid) {
    int status = 0;
    bool done = LockTestPoll([&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
    return done && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  size_t RunsOfTick() {
    Json index = Json::parse(LockTestRead(tmp_.path() / "state/runs/index.json"), nullptr, false);
    size_t n = 0;
    if (index.is_object() && index["runs"].is_array()) {
      for (const auto& r : index["runs"]) n += r.value("schedule", "") == "tick" ? 1 : 0;
    }
    return n;
  }

  testing::TempDir tmp_;
  std::string daemon_;
  std::vector<pid_t> pids_;
};

TEST_F(StateLock, ASecondDaemonOnTheSameStateDirIsRefusedAndTheFirstGoesOn) {
  pid_t first = Spawn("first");
  ASSERT_GT(first, 0);
  pids_.push_back(first);
  ASSERT_TRUE(Listening("first")) << LockTestRead(tmp_.path() / "first.err");
  ASSERT_TRUE(LockTestPoll([&] { return RunsOfTick() >= 1; }));

  pid_t second = Spawn("second");
  ASSERT_GT(second, 0);
  EXPECT_EQ(ExitOf(second), 2);
  std::string err = LockTestRead(tmp_.path() / "second.err");
  EXPECT_NE(err.find("refusing to start: another chaosrund (pid " + std::to_string(first) +
                     ") uses the state directory"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("chaosrund.lock"), std::string::npos) << err;
  EXPECT_TRUE(LockTestRead(tmp_.path() / "second.out").empty()) << "it never listened";
  EXPECT_EQ(err.find("recover"), std::string::npos) << "nothing recovered: " << err;

  // The first goes on firing and stops cleanly; then the state directory is free again.
  size_t before = RunsOfTick();
  ASSERT_TRUE(LockTestPoll([&] { return RunsOfTick() > before; }));
  ::kill(first, SIGTERM);
  EXPECT_EQ(ExitOf(first), 0) << LockTestRead(tmp_.path() / "first.err");
  pids_.clear();
  pid_t third = Spawn("third");
  ASSERT_GT(third, 0);
  pids_.push_back(third);
  EXPECT_TRUE(Listening("third")) << LockTestRead(tmp_.path() / "third.err");
}

}  // namespace
}  // namespace chaosrun::state_lock_test
