// kill's undo restarts the instance as the killed process ran: a `sleep` started as uid/gid
// 65534 (nobody) in a directory of its own with an environment of its own is killed through
// the built driver, and the restarted one is checked through /proc. Needs root (to start the
// process as another user); skipped otherwise.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixture.h"

namespace chaosrun::process_driver_test {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(ProcessDriverTest, KillRestartsAsTheKilledUidCwdAndEnvironment) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to start a process as another user";
  // A directory uid 65534 may enter (the temp dir itself is 0700).
  std::filesystem::permissions(tmp_.path(), std::filesystem::perms(0755));
  const std::string cwd = (tmp_.path() / "nobody-cwd").string();
  ASSERT_EQ(::mkdir(cwd.c_str(), 0755), 0);
  const std::string seconds = UniqueSeconds();
  ::setenv("CHAOSRUN_HOST_ONLY", "host", 1);  // must not reach the restarted process

  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0 || ::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 ||
        ::setuid(65534) != 0) {
      ::_exit(126);
    }
    const char* argv[] = {"/bin/sleep", seconds.c_str(), nullptr};
    const char* envp[] = {"CHAOSRUN_TEST_MARK=restart-identity", "PATH=/usr/bin:/bin", nullptr};
    ::execve(argv[0], const_cast<char* const*>(argv), const_cast<char* const*>(envp));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  children_.push_back(pid);
  const Json selector{{"cmdline", "^(/bin/)?sleep " + seconds + "$"}};
  ASSERT_TRUE(WaitUntil([&] { return RunningPids(selector) == std::vector<int>{pid}; }));

  Json args = selector;
  args["restart"] = Json::array({"sleep", seconds});  // found on the killed process's PATH
  plugin::CallResult plan = Prepare("kill", args);
  ASSERT_TRUE(plan.ok()) << plan.error();
  const Json& as = plan.value["undo"]["killed"][0]["as"];
  EXPECT_EQ(as["uid"], Json::array({65534, 65534}));
  EXPECT_EQ(as["cwd"], cwd);
  ASSERT_TRUE(Apply("kill", plan.value).ok());
  Reap(pid);

  plugin::CallResult undone = Undo("kill", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  ASSERT_EQ(undone.value["restarted"].size(), 1u) << undone.value.dump();
  const pid_t restarted = undone.value["restarted"][0].get<pid_t>();
  Adopt(restarted);
  ASSERT_TRUE(WaitUntil([&] { return RunningPids(selector) == std::vector<int>{restarted}; }));
  const std::string proc = "/proc/" + std::to_string(restarted);
  const std::string status = Slurp(proc + "/status");
  EXPECT_NE(status.find("\nUid:\t65534\t65534\t65534\t65534\n"), std::string::npos) << status;
  EXPECT_NE(status.find("\nGid:\t65534\t65534\t65534\t65534\n"), std::string::npos) << status;
  EXPECT_EQ(std::filesystem::read_symlink(proc + "/cwd").string(), cwd);
  const std::string environ = Slurp(proc + "/environ");
  EXPECT_NE(environ.find(std::string("CHAOSRUN_TEST_MARK=restart-identity\0", 36)),
            std::string::npos);
  EXPECT_EQ(environ.find("CHAOSRUN_HOST_ONLY"), std::string::npos);
  ::unsetenv("CHAOSRUN_HOST_ONLY");
}

}  // namespace
}  // namespace chaosrun::process_driver_test
