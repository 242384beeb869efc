// chaosrund end to end, through its API: real daemon processes on 127.0.0.1 port 0 (the bound
// address read from the one line on stdout), temporary state and experiments directories, a
// 0600 token file, plain HTTP through the project's client (providers::PerformHttp). Faults are
// real: the process driver stops (SIGSTOP) a `sleep` this test started, and the run then waits
// on a gate (integration/safety/experiment.h: a file the run creates, a file the test creates).
// Every wait polls a state (files, /proc/PID/stat, the API) with a cap; nothing asserts on time.
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
#include "providers/http_transfer.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::daemon_e2e {
namespace {

namespace fs = std::filesystem;
using safety_test::DriverAction;
using safety_test::Experiment;
using safety_test::Gate;
using std::chrono::seconds;

constexpr const char* kToken = "e2e-token-0123456789abcdef";

std::string E2eSlurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls `done` every 20 ms for at most `cap`.
bool E2ePoll(const std::function<bool()>& done, std::chrono::milliseconds cap) {
  auto until = std::chrono::steady_clock::now() + cap;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// The state letter of /proc/PID/stat ('T' stopped, 'S' sleeping), '?' if gone.
char E2eProcState(pid_t pid) {
  std::string stat = E2eSlurp("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

pid_t E2eSpawn(const std::vector<std::string>& args, const std::string& out,
               const std::string& err) {
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = out;
  files.stderr_path = err;
  files.append_stderr = true;
  return chaosrun::testing::SpawnWithFiles(args, files);
}

// Waits (capped) for `pid` to exit; its exit code, or -1 (then it is SIGKILLed).
int E2eWaitExit(pid_t pid, std::chrono::milliseconds cap) {
  int status = 0;
  bool done = E2ePoll([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, cap);
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The value of one sample of Prometheus text ("name{labels}" as written), or -1.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

class DaemonE2e : public ::testing::Test {
 protected:
  DaemonE2e() {
    fs::create_directories(dir() + "/experiments");
    std::string token = tmp_.Write("token", std::string(kToken) + "\n");
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    tmp_.Write(
        "experiments/fast.json",
        Experiment("fast", Json::array({{{"type", "action"},
                                         {"name", "noop"},
                                         {"provider", {{"type", "process"}, {"path", "true"}}}}}))
            .dump(2));
  }
  ~DaemonE2e() override {
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
  void Config(const std::string& extra) {
    tmp_.Write("chaosrund.yaml",
               "listen: 127.0.0.1:0\ntoken_file: token\nstate_dir: state\n"
               "experiments_dir: experiments\n" +
                   extra);
  }
  void StartDaemon() {
    daemon_ = E2eSpawn({DaemonBinary(), "--config", dir() + "/chaosrund.yaml"}, dir() + "/d.out",
                       dir() + "/d.err");
    ASSERT_GT(daemon_, 0);
    ASSERT_TRUE(E2ePoll([&] { return E2eSlurp(dir() + "/d.out").find('\n') != std::string::npos; },
                        seconds(30)))
        << E2eSlurp(dir() + "/d.err");
    std::string line = E2eSlurp(dir() + "/d.out");
    const std::string prefix = "listening on ";
    ASSERT_EQ(line.rfind(prefix + "127.0.0.1:", 0), 0u) << line;
    base_ = "http://" + line.substr(prefix.size(), line.find('\n') - prefix.size());
  }
  static std::string DaemonBinary() {
    return (fs::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string();
  }
  // One API call with the token; the body is sent as JSON when given.
  providers::HttpResult Call(const std::string& method, const std::string& path,
                             const std::optional<Json>& body = std::nullopt) {
    providers::HttpRequest req;
    req.url = base_ + path;
    req.method = method;
    req.headers = {std::string("Authorization: Bearer ") + kToken};
    if (body) {
      req.headers.push_back("Content-Type: application/json");
      req.body = body->dump();
    }
    req.timeout.total = 30;
    return providers::PerformHttp(req, CancelToken());
  }
  Json CallJson(const std::string& method, const std::string& path,
                const std::optional<Json>& body = std::nullopt) {
    auto r = Call(method, path, body);
    return Json::parse(r.body, nullptr, false);
  }
  // The runs of `schedule` the API lists (any status), or -1 if the API did not answer.
  int RunsOf(const std::string& schedule, const std::string& outcome = "") {
    Json j = CallJson("GET", "/v1/runs?limit=500&schedule=" + schedule + "&outcome=" + outcome);
    return j.is_object() && j.contains("total") ? j["total"].get<int>() : -1;
  }
  std::string Metrics() {
    providers::HttpRequest req;
    req.url = base_ + "/metrics";
    req.method = "GET";
    req.timeout.total = 30;
    return providers::PerformHttp(req, CancelToken()).body;
  }
  // Starts `sleep 300.<pid>NN` (a unique command line) and the `hold` experiment: stop it, then
  // wait at the gate "after".
  void TargetAndHoldExperiment(const std::string& tag) {
    std::string arg = "300." + std::to_string(::getpid()) + tag;
    target_ = E2eSpawn({"sleep", arg}, "/dev/null", "/dev/null");
    ASSERT_GT(target_, 0);
    ASSERT_TRUE(E2ePoll([&] { return E2eProcState(target_) == 'S'; }, seconds(30)));
    std::string re = "^sleep 300\\." + std::to_string(::getpid()) + tag + "$";
    tmp_.Write("experiments/hold.json",
               Experiment("hold", Json::array({DriverAction("stop-it", "stop", {{"cmdline", re}}),
                                               Gate("action", "after", dir())}))
                   .dump(2));
  }
  // POST /v1/runs of `hold`; returns the run id once the run holds the fault at the gate.
  std::string StartHoldRun() {
    auto r = Call("POST", "/v1/runs", Json{{"experiment", "hold"}});
    EXPECT_EQ(r.status, 201) << r.body;
    Json run = Json::parse(r.body, nullptr, false);
    EXPECT_TRUE(run.is_object() && run.contains("id")) << r.body;
    if (!run.is_object() || !run.contains("id")) return "";
    EXPECT_TRUE(E2ePoll([&] { return fs::exists(dir() + "/at_after.1"); }, seconds(60)))
        << E2eSlurp(dir() + "/d.err");
    EXPECT_EQ(E2eProcState(target_), 'T') << "the fault is applied while the run waits";
    return run["id"].get<std::string>();
  }
  Json StoredJournal(const std::string& id) {
    return Json::parse(E2eSlurp(state() + "/runs/" + id + ".json"), nullptr, false);
  }

  testing::TempDir tmp_;
  std::string base_;
  pid_t daemon_ = -1;
  pid_t target_ = -1;
};

TEST_F(DaemonE2e, TwoSchedulesWriteJournalsMetricsCountThemAndPausingOneStopsIt) {
  Config(
      "schedules:\n"
      "  - {name: one, experiment: fast, cron: '@every 1s'}\n"
      "  - {name: two, experiment: fast, cron: '@every 1s'}\n");
  StartDaemon();
  ASSERT_TRUE(
      E2ePoll([&] { return RunsOf("one", "completed") >= 2 && RunsOf("two", "completed") >= 2; },
              seconds(60)))
      << E2eSlurp(dir() + "/d.err");

  // Each listed run has its journal in the state directory, and /metrics counts them.
  Json list = CallJson("GET", "/v1/runs?limit=500&outcome=completed");
  ASSERT_TRUE(list.is_object()) << list.dump();
  int completed = list["total"].get<int>();
  for (const auto& run : list["runs"]) {
    Json journal = StoredJournal(run["id"].get<std::string>());
    ASSERT_TRUE(journal.is_object()) << run.dump();
    EXPECT_EQ(journal["status"], "completed");
  }
  std::string metrics = Metrics();
  EXPECT_GE(Sample(metrics, "chaosrun_runs_total{outcome=\"completed\"}"), completed) << metrics;
  EXPECT_GT(Sample(metrics, "chaosrun_schedule_last_success_timestamp_seconds{schedule=\"one\"}"),
            0)
      << metrics;

  // Pause "one": once the API acknowledges, it never fires again while "two" goes on.
  auto paused = Call("PATCH", "/v1/schedules/one", Json{{"paused", true}});
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(Json::parse(paused.body, nullptr, false).value("paused", false), true) << paused.body;
  int one_at_pause = RunsOf("one");
  int two_at_pause = RunsOf("two", "completed");
  ASSERT_TRUE(E2ePoll([&] { return RunsOf("two", "completed") >= two_at_pause + 3; }, seconds(60)))
      << E2eSlurp(dir() + "/d.err");
  EXPECT_EQ(RunsOf("one"), one_at_pause) << "a paused schedule fired";
  Json schedules = CallJson("GET", "/v1/schedules");
  ASSERT_TRUE(schedules.is_object()) << schedules.dump();
  for (const auto& s : schedules["schedules"]) {
    EXPECT_EQ(s["paused"], s["name"] == "one") << s.dump();
  }
  ::kill(daemon_, SIGTERM);
  EXPECT_EQ(E2eWaitExit(daemon_, seconds(60)), 0) << E2eSlurp(dir() + "/d.err");
  daemon_ = -1;
}

TEST_F(DaemonE2e, AbortingALongRunStopsItAndUndoesItsFault) {
  TargetAndHoldExperiment("11");
  Config("");
  StartDaemon();
  std::string id = StartHoldRun();
  ASSERT_FALSE(id.empty());
  auto r = Call("POST", "/v1/runs/" + id + "/abort");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string status;
  ASSERT_TRUE(E2ePoll(
      [&] {
        Json run = CallJson("GET", "/v1/runs/" + id);
        status = run.is_object() ? run.value("status", "") : "";
        return status != "" && status != "running" && status != "queued";
      },
      seconds(60)))
      << status << "\n"
      << E2eSlurp(dir() + "/d.err");
  EXPECT_TRUE(status == "aborted" || status == "interrupted") << status;
  EXPECT_NE(E2eProcState(target_), 'T') << "the fault was undone";
  Json journal = StoredJournal(id);
  ASSERT_TRUE(journal.is_object());
  EXPECT_TRUE(journal["status"] == "aborted" || journal["status"] == "interrupted")
      << journal["status"];
  EXPECT_FALSE(fs::exists(dir() + "/go_after.1")) << "the run ended without its gate opening";
}

TEST_F(DaemonE2e, AfterASigkillTheRestartUndoesTheFaultAndReportsTheRunInterrupted) {
  TargetAndHoldExperiment("22");
  Config("");
  StartDaemon();
  std::string id = StartHoldRun();
  ASSERT_FALSE(id.empty());
  ::kill(daemon_, SIGKILL);
  ::waitpid(daemon_, nullptr, 0);
  daemon_ = -1;
  std::ofstream(dir() + "/abort") << "";  // the orphaned gate gives up
  ASSERT_EQ(E2eProcState(target_), 'T') << "nothing undid the fault but the daemon";

  StartDaemon();  // recovers the ledger before it listens
  EXPECT_NE(E2eProcState(target_), 'T') << "the fault was undone at start";
  Json run = CallJson("GET", "/v1/runs/" + id);
  ASSERT_TRUE(run.is_object()) << run.dump();
  EXPECT_EQ(run.value("status", ""), "interrupted") << run.dump(2);
  Json list = CallJson("GET", "/v1/runs?outcome=interrupted");
  ASSERT_TRUE(list.is_object());
  EXPECT_EQ(list["total"], 1) << list.dump(2);
  std::string metrics = Metrics();
  EXPECT_GE(Sample(metrics, "chaosrun_interrupted_runs_found_total"), 1) << metrics;
  EXPECT_EQ(Sample(metrics, "chaosrun_ledger_pending"), 0) << metrics;
}

TEST_F(DaemonE2e, SighupWithAnInvalidConfigKeepsTheOldOneAndSigtermUndoesAndExitsZero) {
  TargetAndHoldExperiment("33");
  Config("schedules:\n  - {name: kept, experiment: fast, cron: '@every 1s'}\n");
  StartDaemon();
  Config("schedules:\n  - {name: kept, experiment: missing-key-below}\nlimits: {queue_size: -1}\n");
  ::kill(daemon_, SIGHUP);
  ASSERT_TRUE(E2ePoll(
      [&] {
        std::string m = Metrics();
        return Sample(m, "chaosrun_config_reloads_total{result=\"refused\"}") >= 1;
      },
      seconds(30)))
      << E2eSlurp(dir() + "/d.err");
  Json schedules = CallJson("GET", "/v1/schedules");
  ASSERT_TRUE(schedules.is_object());
  ASSERT_EQ(schedules["schedules"].size(), 1u) << schedules.dump(2);
  EXPECT_EQ(schedules["schedules"][0]["cron"], "@every 1s") << "the old configuration stays";
  int kept = RunsOf("kept", "completed");
  ASSERT_TRUE(E2ePoll([&] { return RunsOf("kept", "completed") > kept; }, seconds(60)));

  std::string id = StartHoldRun();
  ASSERT_FALSE(id.empty());
  ::kill(daemon_, SIGTERM);
  EXPECT_EQ(E2eWaitExit(daemon_, seconds(60)), 0) << E2eSlurp(dir() + "/d.err");
  daemon_ = -1;
  EXPECT_NE(E2eProcState(target_), 'T') << "the fault was undone";
  Json journal = StoredJournal(id);
  ASSERT_TRUE(journal.is_object()) << "the journal was written";
  EXPECT_EQ(journal["status"], "interrupted");
}

}  // namespace
}  // namespace chaosrun::daemon_e2e
