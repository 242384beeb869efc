// The fire drills end to end: scripts/lab.sh starts the real lab (nginx with TLS, the exporter,
// chaosrun's fault proxy, Prometheus, Alertmanager) on free loopback ports inside this test's
// temporary directory, the real chaosrun runs both drills in experiments/fire-drills/, and the
// lab is stopped again. A healthy lab passes both drills (exit 0) and the journals carry the
// drill times; a lab without alert rules (--break-alerting) fails both (exit 1, deviated).
// Skipped with a message when nginx, prometheus or prometheus-alertmanager are missing, unless
// CI=true (then a failure).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/lab_harness.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using chaosrun::testing::LabHarness;
using chaosrun::testing::LoggedResult;
using chaosrun::testing::ReadJsonFile;
using nlohmann::json;

class FireDrills : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string missing = chaosrun::testing::MissingLabTools(); !missing.empty()) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::string(ci) == "true") {
        FAIL() << "CI needs the lab's tools (scripts/setup.sh installs them); missing: " << missing;
      }
      GTEST_SKIP() << "the fire-drill lab needs " << missing << " (scripts/setup.sh installs them)";
    }
  }

  LoggedResult Lab(const std::vector<std::string>& args) { return lab_.Lab(args); }

  // Runs a drill against the lab; returns the exit code and fills *journal.
  int Drill(const std::string& name, json* journal) {
    const fs::path journal_path = tmp_.path() / (name + ".journal.json");
    LoggedResult r =
        lab_.Run({CHAOSRUN_BINARY, "run", "--var-file", lab_.VarFile().string(), "--journal-path",
                  journal_path.string(), "--state-dir", (tmp_.path() / "state").string(),
                  std::string(CHAOSRUN_SOURCE_DIR) + "/experiments/fire-drills/" + name + ".json"},
                 tmp_.path() / (name + ".log"));
    *journal = ReadJsonFile(journal_path);
    last_output_ = r.output;
    return r.exit_code;
  }

  chaosrun::testing::TempDir tmp_;
  LabHarness lab_{tmp_.path(), CHAOSRUN_BINARY, CHAOSRUN_SOURCE_DIR};
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
  LoggedResult up = Lab({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  json state = lab_.State();
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

  LoggedResult down = Lab({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(fs::exists(tmp_.path() / "lab.json"));
}

TEST_F(FireDrills, ALabWithoutAlertRulesFailsBothDrills) {
  LoggedResult up = Lab({"up", "--break-alerting"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  for (const char* name : {"telemetry-loss-alert", "expired-certificate"}) {
    json j;
    EXPECT_EQ(Drill(name, &j), 1) << name << "\n" << last_output_;
    EXPECT_EQ(j.value("deviated", false), true) << name;
    ASSERT_TRUE(j.contains("drill")) << name;
    EXPECT_TRUE(j["drill"]["time_to_detect"].is_null()) << name;
    EXPECT_TRUE(j["drill"]["time_to_notify"].is_null()) << name;
  }
  LoggedResult down = Lab({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
}

}  // namespace
