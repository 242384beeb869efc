// More `run` cases: other dry modes, aborted runs, unsupported inputs, var-file errors and the
// JSON console format.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "cli_fixture.h"

namespace chaosrun::clitest {
namespace {

using ::testing::HasSubstr;

class MoreRunTest : public CliTest {};

TEST_F(MoreRunTest, DryActionsRunsProbesButNoAction) {
  Outcome o = Run({"--dry", "actions", Example("process-only.json")},
                  {"CHAOSRUN_EXAMPLE_DIR=" + Dir().string()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(std::filesystem::exists(Dir() / "chaosrun-example.marker"));
  Json j = Journal();
  EXPECT_EQ(j["experiment"]["dry"], "actions");
  EXPECT_EQ(j["steady_states"]["before"]["probes"][0]["output"]["status"], 0) << "probes run";
  EXPECT_EQ(j["run"][0]["output"], nullptr) << "the action did not run";
  EXPECT_EQ(j["run"][1]["output"]["status"], 2) << "ls ran and found no marker";
  EXPECT_EQ(j["rollbacks"][0]["output"], nullptr) << "rollback actions are actions too";
}

TEST_F(MoreRunTest, AbortedRunStillWritesItsJournal) {
  // With --no-validation an unresolvable ref aborts the method.
  Json e = Experiment(
      Json::array({Json{{"ref", "nothing-by-that-name"}},
                   ProcessActivity("action", "after", "touch", Json::array({"after-ran"}))}));
  Outcome o = Run({"--no-validation", Write("e.json", e.dump())});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  Json j = Journal();
  EXPECT_EQ(j["status"], "aborted");
  EXPECT_FALSE(std::filesystem::exists(Dir() / "after-ran"));
  EXPECT_THAT(o.err, HasSubstr("nothing-by-that-name"));
}

TEST_F(MoreRunTest, UnsupportedExtensionExitsOne) {
  std::string path = Write("experiment.txt", Experiment(Json::array()).dump());
  Outcome o = Run({path});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("json, yaml or yml"));
  EXPECT_FALSE(JournalExists());
}

TEST_F(MoreRunTest, PythonProviderWithAMissingModuleIsReportedByName) {
  // Python activities run through the bridge now (docs/python.md); a module that cannot be
  // imported is a validation error at the module's pointer, naming the activity.
  std::string path =
      Write("py.json", Experiment(Json::array({Json{{"type", "action"},
                                                    {"name", "call-python"},
                                                    {"provider",
                                                     {{"type", "python"},
                                                      {"module", "chaosrun_no_such_module_xyz"},
                                                      {"func", "getcwd"}}}}}))
                           .dump());
  Outcome v = Raw({"validate", "--state-dir", StateDir(), path});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.out, HasSubstr("/method/0/provider/module: "));
  EXPECT_THAT(v.out, HasSubstr("call-python"));
  Outcome r = Run({path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(JournalExists()) << "an invalid experiment is not run";
}

TEST_F(MoreRunTest, MissingVarFileIsAUsageError) {
  Outcome o = Run({"--var-file", "no-such.env", Example("process-only.json")});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_THAT(o.err, HasSubstr("no-such.env"));
  EXPECT_FALSE(JournalExists());
}

TEST_F(MoreRunTest, YamlVarFileSetsConfiguration) {
  Json probe = ProcessActivity("probe", "exits-seven", "sh", Json::array({"-c", "exit 7"}));
  probe["tolerance"] = "${code}";
  Json e = Experiment(Json::array(), Json::array({probe}));
  e["configuration"] = {{"code", 0}};
  std::string path = Write("e.json", e.dump());
  Outcome o = Run({"--var-file", Write("vars.yaml", "configuration:\n  code: 7\n"), path});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(Journal()["steady_states"]["before"]["steady_state_met"], true);
}

TEST_F(MoreRunTest, JsonConsoleFormatIsOneObjectPerLine) {
  Outcome o =
      Run({"--log-format", "json",
           Write("e.json",
                 Experiment(Json::array({ProcessActivity("action", "a", "true", Json::array())}))
                     .dump())});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::istringstream in(o.err);
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    Json j = Json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object()) << line;
  }
  EXPECT_GT(lines, 2);
  EXPECT_THAT(o.err, HasSubstr(JournalPath()));
}

TEST_F(MoreRunTest, UnwritableJournalPathRefusesBeforeAnythingRuns) {
  Json e = Experiment(
      Json::array({ProcessActivity("action", "touch-it", "touch", Json::array({"ran"}))}));
  std::string path = Write("e.json", e.dump());
  Outcome o = Raw({"run", "--state-dir", StateDir(), "--journal-path",
                   (Dir() / "no-such-dir" / "j.json").string(), path});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cannot write the journal"));
  EXPECT_FALSE(std::filesystem::exists(Dir() / "ran")) << "nothing may run without a journal";
}

}  // namespace
}  // namespace chaosrun::clitest
