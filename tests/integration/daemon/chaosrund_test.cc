// The real chaosrund process: configuration errors, SIGHUP reloads (valid and refused) and SIGTERM
// while a run holds a real fault (the process driver's `stop` on a sleep this test started).
// States are reached through files (the gate of integration/safety/experiment.h, the journal
// store's index) and polled with a cap; nothing waits for time to pass.
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
#include "integration/safety/experiment.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::daemon_test {
namespace {

namespace fs = std::filesystem;
using safety_test::DriverAction;
using safety_test::Experiment;
using safety_test::Gate;

std::string DaemonBinary() {
  return (fs::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls `done` every 10 ms for at most `cap`.
bool PollFor(const std::function<bool()>& done, std::chrono::milliseconds cap) {
  auto until = std::chrono::steady_clock::now() + cap;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

char ProcState(pid_t pid) {
  std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

pid_t SpawnWithFiles(const std::vector<std::string>& args, const std::string& out,
                     const std::string& err) {
  std::vector<std::string> argv = args;
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

// Waits (capped) for `pid` to exit; returns its exit code, or -1 (then it is SIGKILLed).
int WaitExit(pid_t pid, std::chrono::milliseconds cap) {
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
    tmp_.Write(
        "experiments/fast.json",
        Experiment("fast", Json::array({{{"type", "action"},
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
    if (target_ > 0) {
      ::kill(target_, SIGKILL);
      ::waitpid(target_, nullptr, 0);
    }
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
};

TEST_F(Chaosrund, EveryConfigErrorIsReportedAndTheDaemonRefusesToStart) {
  Config("bogus: 1\nlimits: {queue_size: -3}\nschedules:\n  - {name: x, cron: '61 * * * *'}\n");
  pid_t pid = SpawnWithFiles({DaemonBinary(), "--config", dir() + "/chaosrund.yaml"},
                             dir() + "/e.out", dir() + "/e.err");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(30)), 2);
  std::string err = Slurp(dir() + "/e.err");
  for (const char* pointer :
       {"/bogus:", "/limits/queue_size:", "/schedules/0/cron:", "/schedules/0/experiment:"}) {
    EXPECT_NE(err.find(pointer), std::string::npos) << pointer << "\n" << err;
  }
  EXPECT_TRUE(Slurp(dir() + "/e.out").empty());
  pid = SpawnWithFiles({DaemonBinary(), "--check-config", dir() + "/chaosrund.yaml"},
                       dir() + "/c.out", dir() + "/c.err");
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(30)), 2);
  Config("");
  pid = SpawnWithFiles({DaemonBinary(), "--check-config", dir() + "/chaosrund.yaml"},
                       dir() + "/c.out", dir() + "/c.err");
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(30)), 0) << Slurp(dir() + "/c.err");
}

TEST_F(Chaosrund, SighupReloadsAValidConfigAndRefusesAnInvalidOne) {
  Config("");
  StartDaemon();
  Config("schedules:\n  - {name: s2, experiment: fast, cron: '@every 1s'}\n");
  ::kill(daemon_, SIGHUP);
  ASSERT_TRUE(PollFor([&] { return EndedRunsOf("s2") >= 1; }, std::chrono::seconds(60)))
      << Slurp(dir() + "/d.err");
  Config(
      "schedules:\n  - {name: s2, experiment: fast, cron: '@every 1s', colour: red}\n"
      "limits: {max_concurrent_runs: 0}\n");
  ::kill(daemon_, SIGHUP);
  ASSERT_TRUE(
      PollFor([&] { return Slurp(dir() + "/d.err").find("reload refused") != std::string::npos; },
              std::chrono::seconds(30)));
  std::string err = Slurp(dir() + "/d.err");
  EXPECT_NE(err.find("/schedules/0/colour"), std::string::npos) << err;
  EXPECT_NE(err.find("/limits/max_concurrent_runs"), std::string::npos) << err;
  // The old configuration stays: s2 goes on firing.
  size_t before = EndedRunsOf("s2");
  ASSERT_TRUE(PollFor([&] { return EndedRunsOf("s2") > before; }, std::chrono::seconds(60)));
  EXPECT_EQ(StopDaemon(), 0) << Slurp(dir() + "/d.err");
}

TEST_F(Chaosrund, SigtermDuringARunHoldingAFaultUndoesItWritesTheJournalAndExitsZero) {
  std::string arg = "300." + std::to_string(::getpid()) + "77";
  target_ = SpawnWithFiles({"sleep", arg}, "/dev/null", "/dev/null");
  ASSERT_GT(target_, 0);
  ASSERT_TRUE(PollFor([&] { return ProcState(target_) == 'S'; }, std::chrono::seconds(30)));
  std::string re = "^sleep 300\\." + std::to_string(::getpid()) + "77$";
  tmp_.Write("experiments/hold.json",
             Experiment("hold", Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}}),
                                             Gate("action", "after", dir())}))
                 .dump(2));
  Config("schedules:\n  - {name: hold, experiment: hold, cron: '@every 1s'}\n");
  StartDaemon();
  ASSERT_TRUE(PollFor([&] { return fs::exists(dir() + "/at_after.1"); }, std::chrono::seconds(60)))
      << Slurp(dir() + "/d.err");
  ASSERT_EQ(ProcState(target_), 'T') << "the fault is applied while the run waits";
  EXPECT_EQ(StopDaemon(), 0) << Slurp(dir() + "/d.err");
  EXPECT_NE(ProcState(target_), 'T') << "the fault was undone";
  EXPECT_FALSE(fs::exists(dir() + "/at_after.2"));  // forbid: no second run meanwhile
  Json runs = Runs();
  ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
  EXPECT_EQ(runs[0]["status"], "interrupted") << runs.dump(2);
  EXPECT_EQ(runs[0]["faults"]["undone"], 1) << runs.dump(2);
  Json journal = Json::parse(Slurp(state() + "/runs/" + runs[0]["id"].get<std::string>() + ".json"),
                             nullptr, false);
  ASSERT_TRUE(journal.is_object());
  EXPECT_EQ(journal["status"], "interrupted");
}

}  // namespace
}  // namespace chaosrun::daemon_test
