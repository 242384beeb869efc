// The ML fire drills end to end (docs/ml-fire-drills.md): scripts/lab.sh up --ml starts the real
// lab (the base lab plus lab/ml/'s data source, pipeline, model registry and server, collector
// and app) on free loopback ports inside this test's temporary directory; the real chaosrun runs
// every experiments/fire-drills/ml-*.json with the ML driver, built out of tree against the
// installed SDK by scripts/build.sh (<build>/drivers-ml). Drills run two at a time, each pair
// sharing no target, each with its own notification sink port.
//   - a healthy lab passes every drill (exit 0) and the journals carry the drill times;
//   - a lab without alert rules (--break-alerting) fails every drill (exit 1, deviated);
//   - a runner SIGKILLed in the middle of each drill's fault (the alert firing) leaves the fault
//     in the ledger; `chaosrun recover` undoes it: the registry and the pipeline's files are
//     restored byte for byte, the pipeline runs, the proxies have no toxic and are enabled, the
//     load generator is gone, and the alert resolves.
// Skipped with a message when the lab's tools or the ML driver are missing, unless CI=true
// (then a failure).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/cancel.h"
#include "providers/http_transfer.h"
#include "support/http_server.h"
#include "support/lab_harness.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using chaosrun::testing::LabHarness;
using chaosrun::testing::LoggedResult;
using chaosrun::testing::ReadJsonFile;
using nlohmann::json;

struct MlDrill {
  const char* name;   // experiments/fire-drills/<name>.json
  const char* alert;  // the alert it proves
  const char* driver;
  const char* func;  // its fault
};

const MlDrill kDrills[] = {
    {"ml-dropped-rows-after-format-change", "MLRowsDropped", "ml", "schema_drift"},
    {"ml-model-not-promoted", "MLModelNotPromoted", "ml", "stale_model"},
    {"ml-old-feature-extraction", "MLFeatureMissing", "ml", "stale_pipeline"},
    {"ml-stale-dataset", "MLDatasetStale", "ml", "freeze_dataset"},
    {"ml-data-source-down", "MLDataSourceDown", "network", "disable_proxy"},
    {"ml-telemetry-overload", "MLCollectorOverloaded", "ml", "overload_telemetry"},
    {"ml-negative-feedback-lost", "MLNegativeFeedbackSilent", "telemetry", "blackhole"},
    {"ml-stale-training-config", "MLStaleTrainingConfig", "ml", "stale_training_config"},
    {"ml-format-change-between-steps", "MLFeatureDrift", "ml", "schema_drift"},
    {"ml-corrupt-model", "MLModelArtifactCorrupt", "ml", "corrupt_model"},
};

// Pairs that share no target: each pipeline-side drill (the datasource proxy, the pipeline's
// code or process) with one model- or feedback-side drill. Each of the two gets one of the lab's
// two sink ports (Alertmanager sends every alert to both).
const std::vector<std::vector<int>> kPairs = {{0, 1}, {2, 9}, {3, 5}, {4, 7}, {8, 6}};
// Without alert rules nothing fires and no page is sent, so the sink ports need not be routed:
// more drills at once, still none sharing a target (0, 4 and 8 all act on the datasource proxy).
const std::vector<std::vector<int>> kBrokenRounds = {{0, 1, 2, 5, 6}, {3, 4, 7, 9}, {8}};

std::string DrillPath(const MlDrill& d) {
  return (fs::path(CHAOSRUN_SOURCE_DIR) / "experiments" / "fire-drills" / d.name)
      .replace_extension(".json")
      .string();
}

fs::path MlDriverDir() {
  return fs::path(CHAOSRUN_BINARY).parent_path().parent_path() / "drivers-ml";
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// GET url (loopback) through the project's HTTP client; the body, or "" on any failure.
std::string Get(const std::string& url) {
  chaosrun::providers::HttpRequest req;
  req.url = url;
  req.method = "GET";
  req.timeout.total = 5;
  const auto r = chaosrun::providers::PerformHttp(req, chaosrun::CancelToken());
  return r.error == chaosrun::providers::HttpResult::Error::kNone && r.status == 200 ? r.body : "";
}

// Whether Alertmanager holds an active alert with that name (nullopt: it did not answer).
std::optional<bool> Firing(const std::string& am, const std::string& alert) {
  const std::string body = Get(am + "/api/v2/alerts?active=true&silenced=false&inhibited=false");
  const json j = json::parse(body, nullptr, false);
  if (!j.is_array()) return std::nullopt;
  for (const auto& a : j) {
    if (a.contains("labels") && a["labels"].value("alertname", "") == alert) return true;
  }
  return false;
}

// Polls `pred` every 100 ms until it holds or `limit` passes (a bound, not a measurement).
template <typename Pred>
bool Eventually(Pred pred, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

// Every regular file under `root`, by relative path, with its bytes.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    files[fs::relative(e.path(), root).string()] = ss.str();
  }
  return files;
}

// A process's state letter from /proc/<pid>/stat ('T' = stopped), or '?' when it is gone.
char ProcState(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  return close == std::string::npos || close + 2 >= s.size() ? '?' : s[close + 2];
}

// Whatever ends a kill test early (a failed ASSERT), its runner is killed and its faults are
// recovered while the state directory still exists: no 120 s fault or load generator outlives it.
class RunnerGuard {
 public:
  RunnerGuard(const LabHarness& lab, pid_t pid, fs::path state, fs::path log)
      : lab_(lab), pid_(pid), state_(std::move(state)), log_(std::move(log)) {}
  ~RunnerGuard() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      LabHarness::Finish(pid_, log_);
    }
    if (!recovered_) {
      lab_.Run({CHAOSRUN_BINARY, "recover", "--force", "--state-dir", state_.string(),
                "--driver-dir", MlDriverDir().string()},
               log_.string() + ".guard-recover.log");
    }
  }
  RunnerGuard(const RunnerGuard&) = delete;
  RunnerGuard& operator=(const RunnerGuard&) = delete;
  void Reaped() { pid_ = -1; }             // the test waited for the runner itself
  void Recovered() { recovered_ = true; }  // and ran recover itself

 private:
  const LabHarness& lab_;
  pid_t pid_;
  fs::path state_, log_;
  bool recovered_ = false;
};

class MlFireDrills : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = chaosrun::testing::MissingLabTools();
    if (!fs::exists(MlDriverDir() / "libchaosrun_ml.so")) {
      missing += std::string(missing.empty() ? "" : ", ") + "the ML driver (" +
                 (MlDriverDir() / "libchaosrun_ml.so").string() + ", built by scripts/build.sh)";
    }
    if (!missing.empty()) {
      if (InCi()) FAIL() << "CI needs the ML lab's parts; missing: " << missing;
      GTEST_SKIP() << "the ML fire drills need " << missing << " (scripts/setup.sh installs them)";
    }
  }

  std::vector<std::string> RunArgs(const std::string& experiment, const std::string& tag,
                                   int sink_port) {
    return {CHAOSRUN_BINARY,  "run",
            "--driver-dir",   MlDriverDir().string(),
            "--var-file",     lab_.VarFile().string(),
            "--var",          "lab_sink_port:int=" + std::to_string(sink_port),
            "--journal-path", (tmp_.path() / (tag + ".journal.json")).string(),
            "--state-dir",    (tmp_.path() / ("state-" + tag)).string(),
            experiment};
  }

  // Runs the drills of each group at once, the k-th of a group with sink port sinks[k]; fills
  // exit codes, logs and journals by drill index.
  void RunGroups(const std::string& mode, const std::vector<std::vector<int>>& groups,
                 const std::vector<int>& sinks, int* codes, json* journals, std::string* logs) {
    for (const auto& group : groups) {
      ASSERT_LE(group.size(), sinks.size());
      std::vector<pid_t> pids;
      for (size_t k = 0; k < group.size(); ++k) {
        const std::string tag = mode + "-" + kDrills[group[k]].name;
        pids.push_back(lab_.Start(RunArgs(DrillPath(kDrills[group[k]]), tag, sinks[k]),
                                  tmp_.path() / (tag + ".log")));
        EXPECT_GT(pids.back(), 0) << tag;  // no ASSERT: the runners already started are waited
      }
      for (size_t k = 0; k < group.size(); ++k) {
        const std::string tag = mode + "-" + kDrills[group[k]].name;
        LoggedResult r = LabHarness::Finish(pids[k], tmp_.path() / (tag + ".log"));
        codes[group[k]] = r.exit_code;
        logs[group[k]] = r.output;
        journals[group[k]] = ReadJsonFile(tmp_.path() / (tag + ".journal.json"));
      }
    }
  }

  // Whether the drill's own fault ran, through the driver the drill names.
  static bool FaultRan(const MlDrill& d, const json& journal) {
    bool ran = false;
    for (const auto& r : journal.value("run", json::array())) {
      const json& p = r["activity"]["provider"];
      if (p.value("driver", "") == d.driver && p.value("func", "") == d.func) {
        ran = r.value("status", "") == "succeeded";
      }
    }
    return ran;
  }

  chaosrun::testing::TempDir tmp_;
  LabHarness lab_{tmp_.path(), CHAOSRUN_BINARY, CHAOSRUN_SOURCE_DIR};
};

constexpr int kCount = static_cast<int>(std::size(kDrills));

TEST_F(MlFireDrills, AHealthyLabPassesEveryDrillTwoAtATime) {
  LoggedResult up = lab_.Lab({"up", "--ml"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  // Each drill validates with the ML driver and the lab's vars (the driver's argument schemas).
  for (const MlDrill& d : kDrills) {
    LoggedResult r = lab_.Run({CHAOSRUN_BINARY, "validate", "--driver-dir", MlDriverDir().string(),
                               "--var-file", lab_.VarFile().string(), DrillPath(d)},
                              tmp_.path() / (std::string("validate-") + d.name + ".log"));
    EXPECT_EQ(r.exit_code, 0) << d.name << "\n" << r.output;
  }
  int codes[kCount];
  json journals[kCount];
  std::string logs[kCount];
  const json conf = lab_.Configuration();
  const std::vector<int> sinks = {conf.value("lab_sink_port", 0), conf.value("lab_sink_port_2", 0)};
  ASSERT_NE(sinks[0], 0) << conf.dump(2);
  ASSERT_NE(sinks[1], 0) << conf.dump(2);
  RunGroups("healthy", kPairs, sinks, codes, journals, logs);
  for (int i = 0; i < kCount; ++i) {
    const MlDrill& d = kDrills[i];
    const json& j = journals[i];
    EXPECT_EQ(codes[i], 0) << d.name << "\n" << logs[i];
    EXPECT_EQ(j.value("status", ""), "completed") << d.name;
    EXPECT_EQ(j.value("deviated", true), false) << d.name;
    ASSERT_TRUE(j.contains("drill")) << d.name;
    const json& t = j["drill"];
    for (const char* k : {"time_to_detect", "time_to_notify", "time_to_recover"}) {
      EXPECT_TRUE(t.contains(k) && t[k].is_number()) << d.name << " " << k << ": " << t.dump();
    }
    EXPECT_TRUE(FaultRan(d, j)) << d.name << ": " << j.value("run", json::array()).dump(2);
    // The measured times, for docs/ml-fire-drills.md (printed, never asserted on).
    std::cout << "[ drill ] " << d.name << " " << d.alert
              << " detect=" << t.value("time_to_detect", -1.0)
              << " notify=" << t.value("time_to_notify", -1.0)
              << " recover=" << t.value("time_to_recover", -1.0) << "\n";
  }
  // Nothing is left firing once every drill has undone its fault.
  const std::string am = lab_.Configuration().value("lab_alertmanager_url", "");
  for (const MlDrill& d : kDrills) {
    EXPECT_TRUE(Eventually([&] { return Firing(am, d.alert) == false; }, std::chrono::seconds(30)))
        << d.alert << " still firing";
  }
}

TEST_F(MlFireDrills, ALabWithoutAlertRulesFailsEveryDrill) {
  LoggedResult up = lab_.Lab({"up", "--ml", "--break-alerting"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  int codes[kCount];
  json journals[kCount];
  std::string logs[kCount];
  // Unrouted sink ports: free ones, each drill its own.
  std::vector<int> sinks;
  while (sinks.size() < 5) {
    const int port = chaosrun::testing::ClosedLoopbackPort();
    if (std::find(sinks.begin(), sinks.end(), port) == sinks.end()) sinks.push_back(port);
  }
  RunGroups("broken", kBrokenRounds, sinks, codes, journals, logs);
  for (int i = 0; i < kCount; ++i) {
    // It failed because nothing detected the fault, not because the fault was not applied.
    EXPECT_TRUE(FaultRan(kDrills[i], journals[i])) << kDrills[i].name << "\n" << logs[i];
    EXPECT_EQ(codes[i], 1) << kDrills[i].name << "\n" << logs[i];
    EXPECT_EQ(journals[i].value("deviated", false), true) << kDrills[i].name;
    ASSERT_TRUE(journals[i].contains("drill")) << kDrills[i].name;
    EXPECT_TRUE(journals[i]["drill"]["time_to_detect"].is_null()) << kDrills[i].name;
  }
}

// The drill with its fault's duration raised to 120 s, so the watchdog never undoes it before
// the test kills the runner (the blast radius allows at most 30 s: raised too, in the copy).
std::string LongFaultCopy(const MlDrill& d, const fs::path& dir) {
  std::ifstream in(DrillPath(d));
  json e = json::parse(in);
  for (auto& a : e["method"]) {
    if (a.value("type", "") == "action" && a["provider"].value("func", "") == d.func) {
      a["provider"]["duration"] = 120;
      // overload_telemetry's generator has its own lifetime: longer too, so only the undo that
      // recover runs can stop it (the alert resolving below proves it did).
      if (a["provider"]["arguments"].contains("duration"))
        a["provider"]["arguments"]["duration"] = 120;
    }
  }
  e["blast-radius"]["max-duration"] = 300;
  const fs::path out = dir / (std::string(d.name) + ".long.json");
  std::ofstream(out) << e.dump(2);
  return out.string();
}

TEST_F(MlFireDrills, RecoverUndoesEveryMlFaultAfterASigkillMidDrill) {
  LoggedResult up = lab_.Lab({"up", "--ml"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  const json conf = lab_.Configuration();
  const std::string am = conf.value("lab_alertmanager_url", "");
  const std::string api = conf.value("lab_proxy_api", "");
  const int pipeline_pid = conf.value("lab_ml_pipeline_pid", 0);
  const fs::path registry = conf.value("lab_ml_registry", "");
  const fs::path pipeline_dir = conf.value("lab_ml_pipeline_dir", "");
  ASSERT_GT(pipeline_pid, 0) << conf.dump(2);
  const auto registry_before = Snapshot(registry);
  const auto pipeline_before = Snapshot(pipeline_dir);

  for (const MlDrill& d : kDrills) {
    SCOPED_TRACE(d.name);
    const std::string tag = std::string("kill-") + d.name;
    const fs::path state = tmp_.path() / ("state-" + tag);
    const pid_t runner =
        lab_.Start(RunArgs(LongFaultCopy(d, tmp_.path()), tag, conf.value("lab_sink_port", 0)),
                   tmp_.path() / (tag + ".log"));
    ASSERT_GT(runner, 0);
    RunnerGuard guard(lab_, runner, state, tmp_.path() / (tag + ".log"));
    // The phase: the fault is in the ledger, applied, and its alert fires (the drill's middle).
    auto applied = [&] {
      LoggedResult l =
          lab_.Run({CHAOSRUN_BINARY, "recover", "--list", "--json", "--state-dir", state.string()},
                   tmp_.path() / (tag + ".list.log"));
      const json j = json::parse(l.output, nullptr, false);
      if (!j.is_object()) return false;
      for (const auto& p : j.value("pending", json::array())) {
        if (p.value("func", "") == d.func && p.value("applied", false)) return true;
      }
      return false;
    };
    ASSERT_TRUE(Eventually(applied, std::chrono::seconds(40)));
    ASSERT_TRUE(Eventually([&] { return Firing(am, d.alert) == true; }, std::chrono::seconds(20)))
        << d.alert << " never fired";
    ASSERT_EQ(::kill(runner, SIGKILL), 0);
    EXPECT_EQ(LabHarness::Finish(runner, tmp_.path() / (tag + ".log")).exit_code, 128 + SIGKILL);
    guard.Reaped();
    ASSERT_TRUE(applied()) << "the killed run's fault is no longer in the ledger";

    LoggedResult rec = lab_.Run({CHAOSRUN_BINARY, "recover", "--state-dir", state.string(),
                                 "--driver-dir", MlDriverDir().string()},
                                tmp_.path() / (tag + ".recover.log"));
    EXPECT_EQ(rec.exit_code, 0) << rec.output;
    guard.Recovered();
    EXPECT_FALSE(applied()) << "recover left the fault in the ledger";

    // Byte for byte, and running, and clean.
    EXPECT_EQ(Snapshot(registry), registry_before);
    EXPECT_EQ(Snapshot(pipeline_dir), pipeline_before);
    EXPECT_NE(ProcState(pipeline_pid), 'T') << "the pipeline is still stopped";
    EXPECT_NE(ProcState(pipeline_pid), '?') << "the pipeline is gone";
    for (const char* proxy : {"datasource", "feedback"}) {
      const json p = json::parse(Get(api + "/proxies/" + proxy), nullptr, false);
      ASSERT_TRUE(p.is_object()) << proxy;
      EXPECT_EQ(p.value("enabled", false), true) << proxy;
      EXPECT_EQ(p.value("toxics", json::array()).size(), 0u) << proxy << ": " << p.dump();
    }
    // And the lab sees it healthy again: the alert resolves.
    EXPECT_TRUE(Eventually([&] { return Firing(am, d.alert) == false; }, std::chrono::seconds(40)))
        << d.alert << " did not resolve after recover";
  }
}

}  // namespace
