// `chaosrun run` end to end with real child processes: exit codes, the journal (always written,
// reference shape, no secrets), YAML, variables and dry modes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "cli_fixture.h"

namespace chaosrun::clitest {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

const std::regex kTimestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00)");

bool IsTimestamp(const Json& v) {
  return v.is_string() && std::regex_match(v.get<std::string>(), kTimestamp);
}

std::vector<std::string> Keys(const Json& obj) {
  std::vector<std::string> keys;
  for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
  return keys;
}

std::string LastLine(const std::string& text) {
  std::istringstream in(text);
  std::string last;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

// "test ! -e FILE" exits 0 while FILE is absent.
Json AbsentProbe(const std::string& file) {
  Json p = ProcessActivity("probe", "marker-absent", "test", Json::array({"!", "-e", file}));
  p["tolerance"] = 0;
  return p;
}

class RunTest : public CliTest {};

TEST_F(RunTest, CompletedRunExitsZeroWithTheReferenceJournalShape) {
  Json e = Experiment(Json::array({ProcessActivity("action", "say", "echo", Json::array({"hi"}))}),
                      Json::array({AbsentProbe("never-there")}),
                      Json::array({ProcessActivity("action", "undo", "true", Json::array())}));
  e["x-team"] = {{"owner", "sre"}, {"pager", 7}};  // unknown top-level keys are copied
  Outcome o = Run({Write("e.json", e.dump())});
  ASSERT_EQ(o.exit_code, 0) << o.err;

  Json j = Journal();
  std::vector<std::string> keys = Keys(j);
  const std::vector<std::string> reference = {
      "chaoslib-version", "platform",      "node", "experiment", "start", "status",
      "deviated",         "steady_states", "run",  "rollbacks",  "end",   "duration"};
  ASSERT_GE(keys.size(), reference.size());
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + reference.size()), reference)
      << "the reference's keys must come first, in its order";
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["deviated"], false);
  EXPECT_TRUE(IsTimestamp(j["start"])) << j["start"];
  EXPECT_TRUE(IsTimestamp(j["end"])) << j["end"];
  EXPECT_TRUE(j["duration"].is_number_float());
  EXPECT_EQ(j["experiment"]["x-team"], e["x-team"]);
  EXPECT_EQ(j["experiment"]["dry"], nullptr);
  EXPECT_THAT(Keys(j["steady_states"]), ElementsAre("before", "after", "during"));
  EXPECT_EQ(j["steady_states"]["before"]["steady_state_met"], true);
  EXPECT_EQ(j["steady_states"]["after"]["steady_state_met"], true);
  ASSERT_EQ(j["run"].size(), 1u);
  const Json& rec = j["run"][0];
  EXPECT_EQ(rec["status"], "succeeded");
  EXPECT_EQ(rec["output"]["stdout"], "hi\n");
  EXPECT_TRUE(IsTimestamp(rec["start"]) && IsTimestamp(rec["end"])) << rec.dump();
  EXPECT_EQ(j["rollbacks"].size(), 1u);

  // The console ends with the journal path, on stderr; stdout stays empty.
  EXPECT_THAT(LastLine(o.err), HasSubstr("Journal written to " + JournalPath()));
  EXPECT_EQ(o.out, "");
}

TEST_F(RunTest, BareFileIsTheRunCommand) {
  std::string path = Write(
      "e.json",
      Experiment(Json::array({ProcessActivity("action", "a", "echo", Json::array({"x"}))})).dump());
  Outcome o = Raw({"--state-dir", StateDir(), "--journal-path", JournalPath(), path});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["run"][0]["output"]["stdout"], "x\n");
  EXPECT_THAT(LastLine(o.err), HasSubstr("Journal written to"));
}

TEST_F(RunTest, DeviatedAfterHypothesisExitsOne) {
  Json e = Experiment(
      Json::array({ProcessActivity("action", "make-it-so", "touch", Json::array({"marker"}))}),
      Json::array({AbsentProbe("marker")}));
  Outcome o = Run({Write("e.json", e.dump())});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["deviated"], true);
  EXPECT_EQ(j["steady_states"]["after"]["steady_state_met"], false);
  EXPECT_EQ(j["steady_states"]["after"]["probes"][0]["tolerance_met"], false);
}

TEST_F(RunTest, HypothesisNotMetBeforeTheMethodFailsTheRun) {  // decision D1
  Write("marker", "");
  Json e = Experiment(
      Json::array({ProcessActivity("action", "inject", "touch", Json::array({"injected"}))}),
      Json::array({AbsentProbe("marker")}),
      Json::array({ProcessActivity("action", "undo", "touch", Json::array({"rolled-back"}))}));
  Outcome o = Run({Write("e.json", e.dump())});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["deviated"], false);
  EXPECT_EQ(j["steady_states"]["before"]["steady_state_met"], false);
  EXPECT_EQ(j["run"], Json::array());
  EXPECT_EQ(j["rollbacks"], Json::array());
  EXPECT_FALSE(std::filesystem::exists(Dir() / "injected"));
  EXPECT_FALSE(std::filesystem::exists(Dir() / "rolled-back"));
}

TEST_F(RunTest, FailedActivityIsDataAndTheRunCompletes) {
  Json bad = ProcessActivity("action", "fails", "sh", Json::array({"-c", "exit 3"}));
  bad["provider"]["timeout"] = 30;
  Outcome o = Run({Write("e.json", Experiment(Json::array({bad})).dump())});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["run"][0]["status"], "succeeded");
  EXPECT_EQ(j["run"][0]["output"]["status"], 3);
}

TEST_F(RunTest, YamlAndYmlExperimentsRun) {
  std::string yml = Write("copy.yml", ReadFile(Example("process-only.yaml")));
  for (const std::string& path : {Example("process-only.yaml"), yml}) {
    std::filesystem::remove(JournalPath());
    Outcome o =
        Run({"--rollback-strategy", "never", path}, {"CHAOSRUN_EXAMPLE_DIR=" + Dir().string()});
    ASSERT_EQ(o.exit_code, 0) << path << "\n" << o.err;
    Json j = Journal();
    EXPECT_EQ(j["status"], "completed") << path;
    EXPECT_EQ(j["run"].size(), 2u);
    EXPECT_EQ(j["run"][1]["output"]["status"], 0) << "ls found the marker";
    EXPECT_TRUE(std::filesystem::exists(Dir() / "chaosrun-example.marker"));
    std::filesystem::remove(Dir() / "chaosrun-example.marker");
  }
}

TEST_F(RunTest, ExampleRollbackRemovesItsMarker) {
  Outcome o = Run({Example("process-only.json")}, {"CHAOSRUN_EXAMPLE_DIR=" + Dir().string()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["rollbacks"].size(), 1u);
  EXPECT_EQ(j["rollbacks"][0]["status"], "succeeded");
  EXPECT_FALSE(std::filesystem::exists(Dir() / "chaosrun-example.marker"));
}

TEST_F(RunTest, DryActivitiesRunsNothing) {
  Outcome o = Run({"--dry", "activities", Example("process-only.json")},
                  {"CHAOSRUN_EXAMPLE_DIR=" + Dir().string()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(std::filesystem::exists(Dir() / "chaosrun-example.marker"));
  Json j = Journal();
  EXPECT_EQ(j["experiment"]["dry"], "activities");
  for (const auto& rec : j["run"]) {
    EXPECT_EQ(rec["status"], "succeeded");
    EXPECT_EQ(rec["output"], nullptr);
  }
}

TEST_F(RunTest, SecretsNeverReachTheJournalOrTheConsole) {
  const std::string inline_secret = "inline-s3cret-9f41";
  const std::string env_secret = "env-s3cret-77ab";
  Json e = Experiment(Json::array({
      ProcessActivity("action", "echo-inline", "echo", Json::array({"token=${api_token}"})),
      ProcessActivity(
          "action", "echo-env", "sh",
          Json::array({"-c", "echo \"$CLI_TEST_SECRET\"; echo \"$CLI_TEST_SECRET\" >&2"})),
  }));
  e["secrets"] = {{"api", {{"api_token", inline_secret}}},
                  {"env", {{"from_env", {{"type", "env"}, {"key", "CLI_TEST_SECRET"}}}}}};
  Outcome o = Run({"--verbose", Write("e.json", e.dump())}, {"CLI_TEST_SECRET=" + env_secret});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::string text = ReadFile(JournalPath());
  EXPECT_THAT(text, Not(HasSubstr(inline_secret)));
  EXPECT_THAT(text, Not(HasSubstr(env_secret)));
  EXPECT_THAT(o.err, Not(HasSubstr(inline_secret)));
  EXPECT_THAT(o.err, Not(HasSubstr(env_secret)));
  Json j = Journal();
  // The activities did run with the real values; only their record is masked.
  EXPECT_THAT(j["run"][0]["output"]["stdout"].get<std::string>(), HasSubstr("token="));
  EXPECT_NE(j["run"][1]["output"]["stdout"], "\n");
}

// A probe exiting 5 against the tolerance "${expected}": met only when `expected` is the int 5.
Json TypedToleranceExperiment(const Json& expected_declaration) {
  Json probe = ProcessActivity("probe", "exits-five", "sh", Json::array({"-c", "exit 5"}));
  probe["tolerance"] = "${expected}";
  Json e = Experiment(
      Json::array({ProcessActivity("action", "show-env", "sh",
                                   Json::array({"-c", "echo \"[$CLI_TEST_FROM_ENV_FILE]\""}))}),
      Json::array({probe}));
  e["configuration"] = {{"expected", expected_declaration}};
  return e;
}

TEST_F(RunTest, TypedVarReachesTheTolerance) {
  std::string path = Write("e.json", TypedToleranceExperiment(0).dump());
  Outcome untyped = Run({"--var", "expected=5", path});
  EXPECT_EQ(untyped.exit_code, 1) << "the string \"5\" never equals a process result";
  EXPECT_EQ(Journal()["steady_states"]["before"]["steady_state_met"], false);

  Outcome typed = Run({"--var", "expected:int=5", path});
  EXPECT_EQ(typed.exit_code, 0) << typed.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["steady_states"]["before"]["probes"][0]["tolerance_met"], true);
}

TEST_F(RunTest, JsonVarFileSetsConfiguration) {
  std::string path = Write("e.json", TypedToleranceExperiment(0).dump());
  std::string vars = Write("vars.json", R"({"configuration": {"expected": 5}})");
  Outcome o = Run({"--var-file", vars, path});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(Journal()["steady_states"]["before"]["steady_state_met"], true);
  // --var wins over the file.
  Outcome over = Run({"--var-file", vars, "--var", "expected:int=6", path});
  EXPECT_EQ(over.exit_code, 1);
}

TEST_F(RunTest, EnvVarFileFillsTheEnvironment) {
  Json decl = {{"type", "env"}, {"key", "CLI_TEST_FROM_ENV_FILE"}, {"env_var_type", "int"}};
  std::string path = Write("e.json", TypedToleranceExperiment(decl).dump());
  // Without the file the configuration cannot be resolved: invalid, nothing runs.
  Outcome missing = Run({path});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("CLI_TEST_FROM_ENV_FILE"));
  EXPECT_FALSE(JournalExists());

  std::string env_file = Write("test.env", "# comment\n\nCLI_TEST_FROM_ENV_FILE=5\n");
  Outcome o = Run({"--var-file", env_file, path});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["steady_states"]["before"]["steady_state_met"], true);
  EXPECT_EQ(j["run"][0]["output"]["stdout"], "[5]\n") << "children see the .env variables";
}

TEST_F(RunTest, RuntimeBlockAndFlagChooseTheRollbackStrategy) {
  Json e = Experiment(Json::array({ProcessActivity("action", "a", "true", Json::array())}),
                      Json(nullptr),
                      Json::array({ProcessActivity("action", "rb", "touch", Json::array({"rb"}))}));
  e["runtime"] = {{"rollbacks", {{"strategy", "never"}}}};
  std::string path = Write("e.json", e.dump());
  ASSERT_EQ(Run({path}).exit_code, 0);
  EXPECT_EQ(Journal()["rollbacks"], Json::array());
  ASSERT_EQ(Run({"--rollback-strategy", "always", path}).exit_code, 0);
  EXPECT_EQ(Journal()["rollbacks"].size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(Dir() / "rb"));
}

}  // namespace
}  // namespace chaosrun::clitest
