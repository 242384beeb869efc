// The fire drills end to end: scripts/lab.sh starts the real lab (nginx with TLS, the exporter,
// chaosrun's fault proxy, Prometheus, Alertmanager) on free loopback ports inside this test's
// temporary directory, the real chaosrun runs both drills in experiments/fire-drills/, and the
// lab is stopped again. A healthy lab passes both drills (exit 0) and the journals carry the
// drill times; a lab without alert rules (--break-alerting) fails both (exit 1, deviated).
// Skipped with a message when nginx, prometheus or prometheus-alertmanager are missing, unless
// CI=true (then a failure).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv with extra "KEY=VALUE" environment entries, output to `log`, and waits for it.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         const fs::path& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  CommandResult r;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  }
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

bool OnPath(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (!dir.empty() && ::access((fs::path(dir) / name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string MissingTools() {
  std::string missing;
  for (const char* t : {"nginx", "prometheus", "prometheus-alertmanager", "openssl", "python3"}) {
    if (!OnPath(t)) missing += std::string(missing.empty() ? "" : ", ") + t;
  }
  return missing;
}

json ReadJson(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

class FireDrills : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string missing = MissingTools(); !missing.empty()) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::string(ci) == "true") {
        FAIL() << "CI needs the lab's tools (scripts/setup.sh installs them); missing: " << missing;
      }
      GTEST_SKIP() << "the fire-drill lab needs " << missing << " (scripts/setup.sh installs them)";
    }
    env_ = {"CHAOSRUN=" CHAOSRUN_BINARY,
            "CHAOSRUN_LAB_STATE=" + (tmp_.path() / "lab.json").string(),
            "TMPDIR=" + tmp_.path().string()};
  }
  void TearDown() override {
    if (up_) Lab({"down"});  // whatever failed: stop what the lab started
  }

  CommandResult Lab(std::vector<std::string> args) {
    args.insert(args.begin(), std::string(CHAOSRUN_SOURCE_DIR) + "/scripts/lab.sh");
    CommandResult r = RunCommand(args, env_, tmp_.path() / ("lab-" + args[1] + ".log"));
    if (args[1] == "up" && r.exit_code == 0) up_ = true;
    if (args[1] == "down" && r.exit_code == 0) up_ = false;
    return r;
  }

  // Runs a drill against the lab; returns the exit code and fills *journal.
  int Drill(const std::string& name, json* journal) {
    json state = ReadJson(tmp_.path() / "lab.json");
    const fs::path vars = fs::path(state.value("dir", "")) / "vars.json";
    const fs::path journal_path = tmp_.path() / (name + ".journal.json");
    CommandResult r = RunCommand(
        {CHAOSRUN_BINARY, "run", "--var-file", vars.string(), "--journal-path",
         journal_path.string(), "--state-dir", (tmp_.path() / "state").string(),
         std::string(CHAOSRUN_SOURCE_DIR) + "/experiments/fire-drills/" + name + ".json"},
        env_, tmp_.path() / (name + ".log"));
    *journal = ReadJson(journal_path);
    last_output_ = r.output;
    return r.exit_code;
  }

  chaosrun::testing::TempDir tmp_;
  std::vector<std::string> env_;
  bool up_ = false;
  std::string last_output_;
};

// The three drill times are in the journal, measured (numbers) and not negative, with the
// moments they end at. No bound on their size (that would assert on wall time), and no order
// between detect and notify: the page may arrive before the poll that sees the alert firing
// (docs/fire-drills.md).
void ExpectDrillTimes(const json& j) {
  ASSERT_TRUE(j.contains("drill")) << j.dump(2);
  const json& d = j["drill"];
  for (const char* k : {"time_to_detect", "time_to_notify", "time_to_recover"}) {
    ASSERT_TRUE(d.contains(k) && d[k].is_number()) << k << ": " << d.dump(2);
    EXPECT_GE(d[k].get<double>(), 0.0) << k;
  }
  for (const char* k : {"alert_fired_at", "notification_received_at", "alert_resolved_at",
                        "fault_applied_at", "fault_undone_at"}) {
    EXPECT_TRUE(d[k].is_string()) << k << ": " << d.dump(2);
  }
}

TEST_F(FireDrills, AHealthyLabPassesBothDrillsAndTheJournalsHaveTheDrillTimes) {
  CommandResult up = Lab({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  json state = ReadJson(tmp_.path() / "lab.json");
  const std::string dir = state.value("dir", "");
  ASSERT_TRUE(fs::is_directory(dir)) << state.dump(2);
  EXPECT_EQ(state["configuration"]["lab_sink_port"].is_number(), true);

  json j;
  EXPECT_EQ(Drill("telemetry-loss-alert", &j), 0) << last_output_;
  EXPECT_EQ(j.value("status", ""), "completed");
  EXPECT_EQ(j.value("deviated", true), false);
  ExpectDrillTimes(j);
  // The scrape path was broken by the telemetry driver's own fault.
  bool blackholed = false;
  for (const auto& r : j["run"]) {
    const json& p = r["activity"]["provider"];
    if (p.value("driver", "") == "telemetry" && p.value("func", "") == "blackhole") {
      blackholed = r.value("status", "") == "succeeded";
    }
  }
  EXPECT_TRUE(blackholed) << j["run"].dump(2);

  EXPECT_EQ(Drill("expired-certificate", &j), 0) << last_output_;
  EXPECT_EQ(j.value("deviated", true), false);
  ExpectDrillTimes(j);
  // The probe in the method saw the expired certificate, with the reason.
  bool seen = false;
  for (const auto& r : j["run"]) {
    if (r["activity"].value("name", "") == "client-sees-expired-certificate") {
      seen = true;
      EXPECT_EQ(r["output"].value("verified", true), false) << r.dump(2);
      EXPECT_EQ(r["output"].value("verify_error", ""), "certificate has expired");
    }
  }
  EXPECT_TRUE(seen);

  CommandResult down = Lab({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(fs::exists(tmp_.path() / "lab.json"));
}

TEST_F(FireDrills, ALabWithoutAlertRulesFailsBothDrills) {
  CommandResult up = Lab({"up", "--break-alerting"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  for (const char* name : {"telemetry-loss-alert", "expired-certificate"}) {
    json j;
    EXPECT_EQ(Drill(name, &j), 1) << name << "\n" << last_output_;
    EXPECT_EQ(j.value("deviated", false), true) << name;
    ASSERT_TRUE(j.contains("drill")) << name;
    EXPECT_TRUE(j["drill"]["time_to_detect"].is_null()) << name;
    EXPECT_TRUE(j["drill"]["time_to_notify"].is_null()) << name;
  }
  CommandResult down = Lab({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
}

}  // namespace
