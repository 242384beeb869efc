// The four file faults of the ML driver (stale_model, corrupt_model, stale_training_config,
// stale_pipeline) through the real `chaosrun run`: the fault is in place while the method runs
// and the end of the run restores the file byte for byte; a runner SIGKILLed with the fault
// applied leaves it to `chaosrun recover`, which restores byte for byte; a file someone else
// changed since the fault is not overwritten; faults that could not be undone are refused; and
// `chaosrun validate` names a wrong argument by its pointer.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "integration/ml_driver/ml_harness.h"
#include "support/temp_dir.h"

namespace chaosrun::ml_test {
namespace {

struct FileCase {
  std::string func;
  // The action's arguments for the registry `r`.
  std::function<json(const Registry&)> args;
  // The file it changes.
  std::function<std::string(const Registry&)> target;
  // What the file must hold while the fault is applied ("" = just different).
  std::function<std::string(const Registry&)> fault_bytes;
};

std::vector<FileCase> Cases() {
  return {
      {"stale_model",
       [](const Registry& r) {
         return json{{"registry", r.registry}};
       },
       [](const Registry& r) { return r.serving; },
       [](const Registry&) { return std::string("{\"version\":2}\n"); }},
      {"corrupt_model_garble",
       [](const Registry& r) {
         return json{{"artifact", r.artifact}, {"seed", 7}};
       },
       [](const Registry& r) { return r.artifact; }, [](const Registry&) { return std::string(); }},
      {"corrupt_model_truncate",
       [](const Registry& r) {
         return json{{"artifact", r.artifact}, {"mode", "truncate"}, {"keep_bytes", 10}};
       },
       [](const Registry& r) { return r.artifact; },
       [](const Registry& r) { return ReadAll(r.artifact).substr(0, 10); }},
      {"stale_training_config",
       [](const Registry& r) {
         return json{{"registry", r.registry}};
       },
       [](const Registry& r) { return r.training_config; },
       [](const Registry& r) { return ReadAll(r.registry + "/training_configs/v2.json"); }},
      {"stale_pipeline",
       [](const Registry& r) {
         return json{{"pipeline", r.pipeline}};
       },
       [](const Registry& r) { return r.deploy; },
       [](const Registry& r) { return ReadAll(r.pipeline + "/versions/v1.json"); }},
  };
}

std::string Func(const FileCase& c) {
  return c.func.rfind("corrupt_model", 0) == 0 ? "corrupt_model" : c.func;
}

class MlFileFaultTest : public ::testing::TestWithParam<FileCase> {};

TEST_P(MlFileFaultTest, AppliedDuringTheRunAndRestoredByteForByteAtItsEnd) {
  REQUIRE_ML_DRIVER(driver_dir);
  const FileCase& c = GetParam();
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Registry r = MakeRegistry(dir);
  const std::string path = c.target(r);
  const std::string original = ReadAll(path);
  const std::string expected_fault = c.fault_bytes(r);
  json exp = MlExperiment(Func(c), c.args(r), json::array({"file:" + dir + "/*"}), dir);
  int rc = RunThroughGate(
      dir, driver_dir, exp,
      [&] {
        std::string now = ReadAll(path);
        EXPECT_NE(now, original);
        if (!expected_fault.empty()) {
          EXPECT_EQ(now, expected_fault);
        }
      },
      false);
  EXPECT_EQ(rc, 0) << ReadAll(dir + "/run.log");
  EXPECT_EQ(ReadAll(path), original);
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
  // No temporary file left next to it.
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(e.path().filename().string().find(".chaosrun-ml."), std::string::npos) << e.path();
  }
}

TEST_P(MlFileFaultTest, RecoverRestoresByteForByteAfterTheRunnerIsKilled) {
  REQUIRE_ML_DRIVER(driver_dir);
  const FileCase& c = GetParam();
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Registry r = MakeRegistry(dir);
  const std::string path = c.target(r);
  const std::string original = ReadAll(path);
  json exp = MlExperiment(Func(c), c.args(r), json::array({"file:" + dir + "/*"}), dir);
  int rc = RunThroughGate(dir, driver_dir, exp, nullptr, true);
  ASSERT_EQ(rc, 128 + 9);
  ASSERT_NE(ReadAll(path), original);  // still faulted: nobody undid it
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_EQ(ReadAll(path), original);
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;  // nothing left to do
  EXPECT_EQ(ReadAll(path), original);
}

INSTANTIATE_TEST_SUITE_P(EveryFileFault, MlFileFaultTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<FileCase>& p) { return p.param.func; });

TEST(MlFileFaults, UndoRefusesToOverwriteAFileSomeoneElseChanged) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Registry r = MakeRegistry(dir);
  const std::string original = ReadAll(r.serving);
  json exp = MlExperiment("stale_model", {{"registry", r.registry}},
                          json::array({"file:" + dir + "/*"}), dir);
  ASSERT_EQ(RunThroughGate(dir, driver_dir, exp, nullptr, true), 128 + 9);
  const std::string fault = ReadAll(r.serving);
  WriteFile(r.serving, "{\"version\": 1}\n");  // an operator's change after the fault
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 1) << out;
  EXPECT_NE(out.find("changed by someone else"), std::string::npos) << out;
  EXPECT_EQ(ReadAll(r.serving), "{\"version\": 1}\n");  // left alone
  // Once the file holds the fault's bytes again, recover restores the original.
  WriteFile(r.serving, fault);
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_EQ(ReadAll(r.serving), original);
}

// A fault refused in prepare changes nothing and leaves nothing pending.
void ExpectRefused(const std::string& dir, const std::string& driver_dir, const std::string& func,
                   const json& args, const std::string& path, const std::string& why) {
  const std::string before = ReadAll(path);
  WriteFile(dir + "/refused.json",
            MlExperiment(func, args, json::array({"file:" + dir + "/*"})).dump());
  std::string out;
  RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state", "--journal-path",
               dir + "/refused-journal.json", dir + "/refused.json"},
              dir + "/refused.log", &out);
  EXPECT_NE(out.find(why), std::string::npos) << func << " " << args.dump() << ":\n" << out;
  EXPECT_EQ(ReadAll(path), before);
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

TEST(MlFileFaults, PrepareRefusesWhatCouldNotBeUndone) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Registry r = MakeRegistry(dir);
  ExpectRefused(dir, driver_dir, "stale_model", {{"registry", r.registry}, {"version", 7}},
                r.serving, "version 7 is not in");
  ExpectRefused(dir, driver_dir, "stale_model", {{"registry", r.registry}, {"version", 3}},
                r.serving, "already serves version 3");
  ::unlink((r.registry + "/models/v2.json").c_str());
  ExpectRefused(dir, driver_dir, "stale_model", {{"registry", r.registry}}, r.serving,
                "the artifact of version 2 is missing");
  ExpectRefused(dir, driver_dir, "stale_pipeline", {{"pipeline", r.pipeline}, {"version", 5}},
                r.deploy, "version 5 cannot be deployed");
  ExpectRefused(dir, driver_dir, "stale_training_config",
                {{"registry", r.registry}, {"version", 3}}, r.training_config,
                "already holds version 3");
  ExpectRefused(dir, driver_dir, "corrupt_model",
                {{"artifact", r.artifact}, {"mode", "truncate"}, {"keep_bytes", 1 << 20}},
                r.artifact, "keep_bytes: must be below the file's size");
  // Larger than 1 MiB: the undo could not hold its bytes.
  WriteFile(r.artifact, std::string(1024 * 1024 + 1, 'x'));
  ExpectRefused(dir, driver_dir, "corrupt_model", {{"artifact", r.artifact}}, r.artifact,
                "larger than 1048576 bytes");
  ExpectRefused(dir, driver_dir, "corrupt_model", {{"artifact", dir + "/nope.json"}},
                dir + "/registry/serving.json", "nope.json");
}

TEST(MlFileFaults, ValidateNamesAWrongArgument) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  json exp = MlExperiment("corrupt_model", {{"artifact", dir + "/a.json"}, {"mode", "shred"}},
                          json::array({"file:" + dir + "/*"}));
  exp["method"].push_back(
      MlExperiment("stale_model", {{"registry", dir}, {"versoin", 2}}, json::array())["method"][0]);
  WriteFile(dir + "/bad.json", exp.dump());
  std::string out;
  EXPECT_NE(RunChaosrun({"validate", "--driver-dir", driver_dir, dir + "/bad.json"},
                        dir + "/validate.log", &out),
            0);
  EXPECT_NE(out.find("/method/0/provider/arguments/mode"), std::string::npos) << out;
  EXPECT_NE(out.find("/method/1/provider/arguments/versoin"), std::string::npos) << out;
  EXPECT_NE(out.find("did you mean 'version'"), std::string::npos) << out;
}

TEST(MlFileFaults, ValidateRefusesKeepBytesWithoutTruncate) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  for (const json& args :
       {json{{"artifact", dir + "/a.json"}, {"keep_bytes", 3}},
        json{{"artifact", dir + "/a.json"}, {"keep_bytes", 3}, {"mode", "garble"}}}) {
    WriteFile(dir + "/bad.json",
              MlExperiment("corrupt_model", args, json::array({"file:" + dir + "/*"})).dump());
    std::string out;
    EXPECT_NE(RunChaosrun({"validate", "--driver-dir", driver_dir, dir + "/bad.json"},
                          dir + "/validate.log", &out),
              0)
        << args.dump();
    EXPECT_NE(out.find("/method/0/provider/arguments"), std::string::npos) << out;
  }
}

// reload_url's server is touched too: it is a target, and the blast radius must allow it.
TEST(MlFileFaults, TheReloadEndpointIsATarget) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Registry r = MakeRegistry(dir);
  const std::string original = ReadAll(r.serving);
  // Nothing listens there: the plan is refused before anything is posted.
  json args{{"registry", r.registry}, {"reload_url", "http://127.0.0.1:9/-/reload"}};
  ExpectRefused(dir, driver_dir, "stale_model", args, r.serving, "endpoint:127.0.0.1:9");
  json exp = MlExperiment("stale_model", args,
                          json::array({"file:" + dir + "/*", "endpoint:127.0.0.1:9"}));
  WriteFile(dir + "/allowed.json", exp.dump());
  std::string out;
  RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state", "--journal-path",
               dir + "/allowed-journal.json", dir + "/allowed.json"},
              dir + "/allowed.log", &out);
  // Allowed now: the fault runs, and its reload (nothing listens on port 9) is what fails.
  EXPECT_NE(out.find("reload POST http://127.0.0.1:9/-/reload"), std::string::npos) << out;
  EXPECT_EQ(ReadAll(r.serving), original);
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

// A write killed between its temporary file and the rename leaves .<name>.chaosrun-ml.XXXXXX:
// the undo removes such leftovers of ours for that file, and nothing else.
TEST(MlFileFaults, TheUndoRemovesLeftoverTemporaryFiles) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Registry r = MakeRegistry(dir);
  const std::string reg = r.registry + "/";
  WriteFile(reg + ".serving.json.chaosrun-ml.Ab3xYz", "half");
  WriteFile(reg + ".serving.json.chaosrun-ml.toolong1", "not ours");
  WriteFile(reg + ".manifest.json.chaosrun-ml.Ab3xYz", "another file's");
  json exp = MlExperiment("stale_model", {{"registry", r.registry}},
                          json::array({"file:" + dir + "/*"}), dir);
  ASSERT_EQ(RunThroughGate(dir, driver_dir, exp, nullptr, true), 128 + 9);
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_FALSE(std::filesystem::exists(reg + ".serving.json.chaosrun-ml.Ab3xYz"));
  EXPECT_TRUE(std::filesystem::exists(reg + ".serving.json.chaosrun-ml.toolong1"));
  EXPECT_TRUE(std::filesystem::exists(reg + ".manifest.json.chaosrun-ml.Ab3xYz"));
}

}  // namespace
}  // namespace chaosrun::ml_test
