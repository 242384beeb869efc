// Usage errors through the real binary: exit 2 and one clear message (with a did-you-mean), and
// the Chaos Toolkit flags chaosrun accepts: --no-version-check, --change-dir, --no-log-file,
// --log-file-level, --settings and --no-verify-tls (what the last two do:
// tests/integration/settings).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"
#include "usage_harness.h"

namespace chaosrun::usagetest {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class UsageExit : public ::testing::Test {
 protected:
  // A valid experiment of one process action that writes `marker` (proof that it ran).
  std::string Experiment(const std::string& name, const std::string& marker) {
    return dir_.Write(name, R"({"title": "t", "description": "d", "method": [
        {"type": "action", "name": "a", "provider": {"type": "process", "path": "touch",
         "arguments": [")" + marker +
                                R"("]}}]})");
  }
  std::vector<std::string> WithState(std::vector<std::string> args) {
    args.insert(args.end(), {"--state-dir", (dir_.path() / "state").string()});
    return args;
  }
  testing::TempDir dir_;
};

TEST_F(UsageExit, AMistypedCommandIsNoSuchCommandWithDidYouMean) {
  Ran r = RunChaosrunIn(dir_.path(), {"rnu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "Error: No such command 'rnu'. Did you mean 'run'?\n"
            "Try 'chaosrun --help' for help.\n");
  EXPECT_THAT(r.out, IsEmpty());
  // A word that is a path or a file is an experiment: a missing one exits 1, as before.
  Ran missing = RunChaosrunIn(dir_.path(), WithState({"nothere.json"}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("does not exist"));
}

TEST_F(UsageExit, AMistypedOptionIsNoSuchOptionWithDidYouMean) {
  std::string e = Experiment("e.json", "ran");
  Ran r = RunChaosrunIn(dir_.path(), {"run", "--jounral-path", "j.json", e});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("Error: no such option: --jounral-path; did you mean "
                               "'--journal-path'?"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "ran"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "j.json"));
}

TEST_F(UsageExit, NoVersionCheckIsAcceptedBeforeAndAfterTheCommand) {
  std::string e = Experiment("e.json", "ran");
  for (const auto& args : std::vector<std::vector<std::string>>{{"--no-version-check", "run", e},
                                                                {"run", "--no-version-check", e},
                                                                {"--no-version-check", e}}) {
    std::filesystem::remove(dir_.path() / "ran");
    Ran r = RunChaosrunIn(dir_.path(), WithState(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "ran"));
  }
  Ran v = RunChaosrunIn(dir_.path(), WithState({"--no-version-check", "validate", e}));
  EXPECT_EQ(v.exit_code, 0) << v.err;
}

TEST_F(UsageExit, ChangeDirComesFirst) {
  std::filesystem::create_directories(dir_.path() / "work");
  Experiment("work/e.json", "ran");
  Ran r = RunChaosrunIn(dir_.path(), WithState({"--change-dir", "work", "run", "e.json"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "work" / "ran"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "work" / "journal.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "journal.json"));

  Ran missing = RunChaosrunIn(dir_.path(), WithState({"--change-dir", "nowhere", "e.json"}));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("Error: --change-dir nowhere: No such file or directory"));
}

TEST_F(UsageExit, LogFileLevelAndNoLogFile) {
  std::string e = Experiment("e.json", "ran");
  Ran r = RunChaosrunIn(dir_.path(),
                        WithState({"--log-file", "w.log", "--log-file-level", "warning", e}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string log = ReadWhole(dir_.path() / "w.log");
  EXPECT_THAT(log, Not(HasSubstr(" INFO] ")));
  EXPECT_THAT(log, Not(HasSubstr(" DEBUG] ")));
  Ran all = RunChaosrunIn(dir_.path(), WithState({"--log-file", "d.log", e}));
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(ReadWhole(dir_.path() / "d.log"), HasSubstr(" INFO] "));
  EXPECT_THAT(ReadWhole(dir_.path() / "d.log"), HasSubstr(" DEBUG] "));
  // --no-log-file: no log file, even where --log-file names one; none by default either.
  Ran none = RunChaosrunIn(dir_.path(), WithState({"--no-log-file", "--log-file", "n.log", e}));
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "n.log"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "chaostoolkit.log"));

  Ran bad = RunChaosrunIn(dir_.path(), {"--log-file-level", "loud", e});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--log-file-level must be one of debug, info, warning, error"));
}

TEST_F(UsageExit, SettingsAndNoVerifyTlsAreAccepted) {
  std::string e = Experiment("e.json", "ran");
  Ran r = RunChaosrunIn(dir_.path(), WithState({"run", "--no-verify-tls", e}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Ran v = RunChaosrunIn(dir_.path(), WithState({"validate", "--no-verify-tls", e}));
  EXPECT_EQ(v.exit_code, 0) << v.err;
  Ran d = RunChaosrunIn(dir_.path(), {"drivers", "--no-verify-tls"});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_THAT(d.err, HasSubstr("no such option: --no-verify-tls (it only applies to "
                               "`chaosrun run` and `chaosrun validate`)"));
}

}  // namespace
}  // namespace chaosrun::usagetest
