// The experiments directory as the daemon sees it: ListExperiments lists (and parses) only what
// ResolveIn would run, so a symlink leading out of the directory is neither listed nor read; a
// schedule whose experiment is not there is a warning at its pointer; the listen address is
// loopback by the same rule as the API server's (127.0.0.0/8, ::1, localhost).
#include <gtest/gtest.h>

#include <filesystem>

#include "daemon/config.h"
#include "unit/daemon/daemon_fixture.h"

namespace chaosrun::testing {
namespace {

namespace fs = std::filesystem;

class ExperimentsDir : public DaemonFixture {};

TEST_F(ExperimentsDir, ASymlinkLeadingOutIsNeitherListedNorParsed) {
  dir_.Write("outside.json", R"({"title": "outside the directory", "method": []})");
  fs::create_symlink(dir_.path() / "outside.json", dir_.path() / "experiments/leak.json");
  fs::create_symlink("fast.json", dir_.path() / "experiments/alias.json");  // stays inside
  dir_.Write("experiments/.hidden.json", R"({"title": "hidden", "method": []})");
  auto& d = StartDaemon();
  Json list = d.ListExperiments();
  std::vector<std::string> names;
  for (const auto& e : list) names.push_back(e["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"alias", "fast"})) << list.dump(2);
  EXPECT_EQ(list.dump().find("outside the directory"), std::string::npos) << list.dump(2);
}

TEST_F(ExperimentsDir, AScheduleWhoseExperimentIsMissingIsAWarningAtItsPointer) {
  dir_.Write("outside.json", R"({"title": "o", "method": []})");
  fs::create_symlink(dir_.path() / "outside.json", dir_.path() / "experiments/leak.json");
  config_.schedules = {ScheduleFrom(R"({"name": "a", "experiment": "fast", "cron": "@hourly"})"),
                       ScheduleFrom(R"({"name": "b", "experiment": "gone", "cron": "@hourly"})"),
                       ScheduleFrom(R"({"name": "c", "experiment": "leak", "cron": "@hourly"})")};
  auto warnings = daemon::ScheduleExperimentWarnings(config_);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].pointer, "/schedules/1/experiment");
  EXPECT_NE(warnings[0].message.find("no experiment \"gone\""), std::string::npos)
      << warnings[0].message;
  EXPECT_EQ(warnings[1].pointer, "/schedules/2/experiment");
  dir_.Write("experiments/gone.yaml", "title: back\nmethod: []\n");  // it may appear later
  EXPECT_EQ(daemon::ScheduleExperimentWarnings(config_).size(), 1u);
}

TEST_F(ExperimentsDir, ListenIsLoopbackByTheApiServersRule) {
  dir_.Write("token", "0123456789abcdef0123\n");
  auto problems_for = [&](const std::string& listen) {
    std::vector<daemon::ConfigProblem> problems;
    daemon::ParseConfig(Json{{"listen", listen},
                             {"token_file", "token"},
                             {"experiments_dir", "experiments"},
                             {"state_dir", "state"}},
                        dir_.path().string(), problems);
    return daemon::FormatProblems(problems);
  };
  for (const char* ok :
       {"127.0.0.1:0", "127.0.0.2:8475", "127.255.0.9:1", "[::1]:0", "localhost:0"}) {
    EXPECT_EQ(problems_for(ok), "") << ok;
  }
  for (const char* remote : {"0.0.0.0:8475", "10.0.0.1:8475", "128.0.0.1:1"}) {
    EXPECT_NE(problems_for(remote).find("not a loopback address"), std::string::npos) << remote;
  }
}

}  // namespace
}  // namespace chaosrun::testing
