// The real chaosrund process for the tests of this folder: spawning it with its output in files,
// waiting (capped) for states reached through files, the journal store's index, the state of a
// target process. Shared by several files of integration_daemon: inline, one definition.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "common/json.h"
#include "integration/safety/experiment.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::daemon_test {

namespace fs = std::filesystem;

inline std::string DaemonBinary() {
  return (fs::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string();
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls `done` every 10 ms for at most `cap`.
inline bool PollFor(const std::function<bool()>& done, std::chrono::milliseconds cap) {
  auto until = std::chrono::steady_clock::now() + cap;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

inline char ProcState(pid_t pid) {
  std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

inline pid_t SpawnWithFiles(const std::vector<std::string>& args, const std::string& out,
                            const std::string& err) {
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = out;
  files.stderr_path = err;
  return chaosrun::testing::SpawnWithFiles(args, files);
}

// Waits (capped) for `pid` to exit; returns its exit code, or -1 (then it is SIGKILLed).
inline int WaitExit(pid_t pid, std::chrono::milliseconds cap) {
  int status = 0;
  bool done = PollFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, cap);
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class Chaosrund : public ::testing::Test {
 protected:
  Chaosrund() {
    fs::create_directories(dir() + "/experiments");
    std::string token = tmp_.Write("token", "test-token-0123456789abcdef\n");
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    tmp_.Write("experiments/fast.json",
               safety_test::Experiment(
                   "fast", Json::array({{{"type", "action"},
                                         {"name", "noop"},
                                         {"provider", {{"type", "process"}, {"path", "true"}}}}}))
                   .dump(2));
  }
  ~Chaosrund() override {
    std::ofstream(dir() + "/abort") << "";  // gates give up
    if (daemon_ > 0) {
      ::kill(daemon_, SIGKILL);
      ::waitpid(daemon_, nullptr, 0);
    }
    if (target_ > 0) targets_.push_back(target_);
    for (pid_t t : targets_) {
      ::kill(t, SIGKILL);
      ::waitpid(t, nullptr, 0);
    }
  }
  // Starts `sleep 300.<our pid><tag>` (killed at teardown), waits until it sleeps, and returns its
  // pid; `cmdline` gets the anchored pattern that selects it and nothing else.
  pid_t SpawnTarget(const std::string& tag, std::string& cmdline) {
    std::string arg = "300." + std::to_string(::getpid()) + tag;
    pid_t pid = SpawnWithFiles({"sleep", arg}, "/dev/null", "/dev/null");
    if (pid <= 0) return pid;
    targets_.push_back(pid);
    EXPECT_TRUE(PollFor([&] { return ProcState(pid) == 'S'; }, std::chrono::seconds(30)));
    cmdline = "^sleep 300\\." + std::to_string(::getpid()) + tag + "$";
    return pid;
  }
  // The API's base URL, from the line chaosrund printed.
  std::string Address() {
    std::string line = Slurp(dir() + "/d.out");
    std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) return "";
    return "http://" + line.substr(prefix.size(), line.find('\n') - prefix.size());
  }
  // `chaosrun remote ARGS... --address A --token-file T`; returns its exit code, `out` its stdout.
  int Remote(std::vector<std::string> args, std::string* out = nullptr) {
    std::vector<std::string> argv = {CHAOSRUN_BINARY, "remote"};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const std::string& a :
         {std::string("--address"), Address(), std::string("--token-file"), dir() + "/token"}) {
      argv.push_back(a);
    }
    pid_t pid = SpawnWithFiles(argv, dir() + "/remote.out", dir() + "/remote.err");
    if (pid <= 0) return -1;
    int rc = WaitExit(pid, std::chrono::seconds(30));
    if (out != nullptr) *out = Slurp(dir() + "/remote.out");
    return rc;
  }
  // The summary of the run whose experiment is `experiment` (the first in the index), or null.
  Json RunOf(const std::string& experiment) {
    for (const auto& r : Runs()) {
      if (r.value("experiment", "") == experiment) return r;
    }
    return nullptr;
  }
  std::string dir() const { return tmp_.path().string(); }
  std::string state() const { return dir() + "/state"; }
  std::string Config(const std::string& extra) {
    return tmp_.Write("chaosrund.yaml",
                      "listen: 127.0.0.1:0\ntoken_file: token\n"
                      "state_dir: state\nexperiments_dir: experiments\n" +
                          extra);
  }
  void StartDaemon() {
    daemon_ = SpawnWithFiles({DaemonBinary(), "--config", dir() + "/chaosrund.yaml"},
                             dir() + "/d.out", dir() + "/d.err");
    ASSERT_GT(daemon_, 0);
    ASSERT_TRUE(PollFor([&] { return Slurp(dir() + "/d.out").find('\n') != std::string::npos; },
                        std::chrono::seconds(30)))
        << Slurp(dir() + "/d.err");
    std::string line = Slurp(dir() + "/d.out");
    EXPECT_EQ(line.rfind("listening on 127.0.0.1:", 0), 0u) << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  }
  int StopDaemon() {
    ::kill(daemon_, SIGTERM);
    int rc = WaitExit(daemon_, std::chrono::seconds(60));
    daemon_ = -1;
    return rc;
  }
  // Summaries in the journal store's index.
  Json Runs() {
    Json index = Json::parse(Slurp(state() + "/runs/index.json"), nullptr, false);
    return index.is_object() && index.contains("runs") ? index["runs"] : Json::array();
  }
  size_t EndedRunsOf(const std::string& schedule) {
    size_t n = 0;
    for (const auto& r : Runs()) {
      if (r.value("schedule", "") == schedule && r.value("status", "") == "completed") ++n;
    }
    return n;
  }

  testing::TempDir tmp_;
  pid_t daemon_ = -1;
  pid_t target_ = -1;
  std::vector<pid_t> targets_;
};

}  // namespace chaosrun::daemon_test
