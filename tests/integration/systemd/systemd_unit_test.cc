// systemd/chaosrund.service and systemd/chaosrund.conf.example as shipped: `systemd-analyze
// verify` accepts the unit without a word (PID 1 is not systemd on the test machines, so verify
// is what can run; the unit's ExecStart is pointed at this build's chaosrund in a temporary copy,
// because verify requires the binary to exist), and `chaosrund --check-config` accepts the
// example once its absolute paths are moved under a temporary directory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::systemd_test {
namespace {

namespace fs = std::filesystem;

const std::string kSource = CHAOSRUN_SOURCE_DIR;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Daemon() { return (fs::path(CHAOSRUN_BINARY).parent_path() / "chaosrund").string(); }

struct Ran {
  int rc = -1;
  std::string out;  // stdout and stderr together
};

// Runs argv to its end with stdout and stderr in `log`; systemd-analyze and --check-config
// both end on their own (no cap needed beyond ctest's timeout).
Ran RunTool(std::vector<std::string> argv, const std::string& log) {
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = log;
  files.stderr_to_stdout = true;
  files.mode = 0600;
  Ran r;
  r.rc = chaosrun::testing::RunWithFiles(argv, files);
  r.out = ReadText(log);
  return r;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The value of `Key=` in the unit (the last assignment), or "".
std::string UnitValue(const std::string& unit, const std::string& key) {
  std::regex re("^" + key + "=(.*)$", std::regex::multiline);
  std::string value;
  for (std::sregex_iterator it(unit.begin(), unit.end(), re), end; it != end; ++it) {
    value = (*it)[1];
  }
  return value;
}

TEST(SystemdUnit, VerifyAcceptsItWithoutAnyWarning) {
  if (!fs::exists("/usr/bin/systemd-analyze")) GTEST_SKIP() << "no systemd-analyze";
  testing::TempDir tmp;
  std::string unit = ReadText(kSource + "/systemd/chaosrund.service");
  ASSERT_NE(unit.find("ExecStart=/usr/bin/chaosrund "), std::string::npos);
  std::string copy = tmp.Write("chaosrund.service", Replace(unit, "ExecStart=/usr/bin/chaosrund ",
                                                            "ExecStart=" + Daemon() + " "));
  Ran r = RunTool({"systemd-analyze", "verify", copy}, tmp.path().string() + "/verify.log");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, "") << "systemd-analyze verify warned";
}

TEST(SystemdUnit, VerifyWouldReportAMistake) {
  // The check above is only worth something if verify speaks up: a misspelt key must be reported.
  if (!fs::exists("/usr/bin/systemd-analyze")) GTEST_SKIP() << "no systemd-analyze";
  testing::TempDir tmp;
  std::string unit = Replace(ReadText(kSource + "/systemd/chaosrund.service"),
                             "ExecStart=/usr/bin/chaosrund ", "ExecStart=" + Daemon() + " ");
  std::string copy =
      tmp.Write("chaosrund.service", Replace(unit, "NoNewPrivileges=", "NoNewPrivilege="));
  Ran r = RunTool({"systemd-analyze", "verify", copy}, tmp.path().string() + "/verify.log");
  EXPECT_NE(r.out.find("NoNewPrivilege"), std::string::npos) << r.out;
}

TEST(SystemdUnit, HasTheChoicesTheDaemonNeeds) {
  std::string unit = ReadText(kSource + "/systemd/chaosrund.service");
  EXPECT_EQ(UnitValue(unit, "Type"), "notify");
  EXPECT_EQ(UnitValue(unit, "WatchdogSec"), "30s");
  EXPECT_EQ(UnitValue(unit, "Restart"), "on-failure");
  EXPECT_EQ(UnitValue(unit, "ExecReload"), "/bin/kill -HUP $MAINPID");
  EXPECT_EQ(UnitValue(unit, "StateDirectory"), "chaosrund");
  EXPECT_EQ(UnitValue(unit, "StateDirectoryMode"), "0700");
  EXPECT_EQ(UnitValue(unit, "ProtectSystem"), "strict");
  EXPECT_EQ(UnitValue(unit, "ReadWritePaths"), "/var/lib/chaosrund");
  EXPECT_EQ(UnitValue(unit, "NoNewPrivileges"), "yes");
  EXPECT_EQ(UnitValue(unit, "PrivateTmp"), "yes");
  EXPECT_EQ(UnitValue(unit, "MemoryDenyWriteExecute"), "yes");
  EXPECT_EQ(UnitValue(unit, "RestrictAddressFamilies"), "AF_UNIX AF_INET AF_INET6 AF_NETLINK");
  std::string caps = UnitValue(unit, "CapabilityBoundingSet");
  EXPECT_NE(caps.find("CAP_KILL"), std::string::npos);
  EXPECT_NE(caps.find("CAP_NET_ADMIN"), std::string::npos);
  EXPECT_EQ(caps.find("CAP_SYS_ADMIN"), std::string::npos);
  EXPECT_EQ(caps.find("CAP_DAC_OVERRIDE"), std::string::npos);
  EXPECT_EQ(UnitValue(unit, "AmbientCapabilities"), caps);
  // The unit and the example agree on the config path and the state directory.
  std::string example = ReadText(kSource + "/systemd/chaosrund.conf.example");
  EXPECT_NE(UnitValue(unit, "ExecStart").find("--config /etc/chaosrun/chaosrund.yaml"),
            std::string::npos);
  EXPECT_NE(example.find("\nstate_dir: /var/lib/chaosrund\n"), std::string::npos);
}

TEST(SystemdUnit, TheExampleConfigIsAcceptedByCheckConfig) {
  testing::TempDir tmp;
  const std::string root = tmp.path().string();
  fs::create_directories(root + "/etc/chaosrun/experiments");
  tmp.Write("etc/chaosrun/policy.yaml", "{}\n");
  std::string token = tmp.Write("etc/chaosrun/token", "example-token-0123456789abcdef\n");
  fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
  std::string example = ReadText(kSource + "/systemd/chaosrund.conf.example");
  ASSERT_FALSE(example.empty());
  example = Replace(example, "/etc/chaosrun", root + "/etc/chaosrun");
  example = Replace(example, "/var/lib/chaosrund", root + "/state");
  std::string config = tmp.Write("etc/chaosrun/chaosrund.yaml", example);
  Ran r = RunTool({Daemon(), "--check-config", config}, root + "/check.log");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find(": ok (2 schedule(s), 1 proxy)"), std::string::npos) << r.out;
}

TEST(SystemdUnit, TheExampleSetsEveryKeyOfTheReference) {
  // Every key of docs/daemon.md's configuration table is shown in the example.
  std::string doc = ReadText(kSource + "/docs/daemon.md");
  std::string example = ReadText(kSource + "/systemd/chaosrund.conf.example");
  std::regex row("^\\| `([a-z_]+)(?:\\.([a-z_]+))?`", std::regex::multiline);
  int keys = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) {
    std::string key = (*it)[2].matched ? (*it)[2].str() : (*it)[1].str();
    // `drivers_dir` / `drivers_dirs`: one row, the example uses the list.
    std::regex set("^ *" + key + "s?:", std::regex::multiline);
    EXPECT_TRUE(std::regex_search(example, set)) << key << " is not in the example";
    ++keys;
  }
  EXPECT_GE(keys, 15);
}

}  // namespace
}  // namespace chaosrun::systemd_test
