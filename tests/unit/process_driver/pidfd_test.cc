// Signals go through a pidfd opened BEFORE the start-time check (SignalSameProcess): a real
// child process, and a fake procfs entry for its pid whose start time the test controls, so
// "the pid now belongs to another process" can be staged at the exact moment after the open.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_proc.h"
#include "process/actions.h"
#include "process/signals.h"

namespace chaosrun::drivers::process {
namespace {

using nlohmann::json;
using testing::FakeProc;

// A child that waits in pause() until a signal ends it; reaped by the test.
pid_t StartPausedChild() {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

// The child has not been signalled to death (still running, not reaped).
bool StillRunning(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == 0;
}

TEST(Pidfd, StartTimeIsCheckedAfterTheOpen) {
  pid_t child = StartPausedChild();
  ASSERT_GT(child, 0);
  FakeProc fp;
  fp.Add(child, "child", "child", 'S', 100);
  Env env;
  env.proc_root = fp.root();
  // Between the open and the check, the pid "is recycled": its start time changes. Checked
  // before the open, this would go unseen and the signal would be sent.
  int hooked = 0;
  env.after_pidfd_open = [&](int pid) {
    ++hooked;
    fp.Add(pid, "other", "other", 'S', 101);
  };
  EXPECT_EQ(SignalSameProcess(env, child, 100, SIGKILL), "pid reused by another process");
  EXPECT_EQ(hooked, 1);
  EXPECT_TRUE(StillRunning(child));

  // Through apply too: the recorded process is skipped and nothing is signalled.
  fp.Add(child, "child", "child", 'S', 100);
  json plan{{"processes", json::array({json{{"pid", child}, {"start_time", 100}}})},
            {"signal", SIGKILL}};
  sdk::Reply r = Apply("kill", plan, env);
  EXPECT_EQ(r.status, CHAOSRUN_FAILED);
  EXPECT_NE(r.value["error"].get<std::string>().find("pid reused"), std::string::npos);
  EXPECT_TRUE(StillRunning(child));

  // The same process (start time unchanged): the signal goes through the pidfd.
  env.after_pidfd_open = nullptr;
  fp.Add(child, "child", "child", 'S', 100);
  EXPECT_EQ(SignalSameProcess(env, child, 100, SIGKILL), "");
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  // Reaped: the fake entry still "matches", but no pidfd can be opened on a pid nobody has
  // (signal 0 in case the pid was already given to another process).
  EXPECT_EQ(SignalSameProcess(env, child, 100, 0), "exited");
}

TEST(Pidfd, StopUndoContinuesOnlyTheSameProcess) {
  pid_t child = StartPausedChild();
  ASSERT_GT(child, 0);
  FakeProc fp;
  fp.Add(child, "child", "child", 'S', 100);
  Env env;
  env.proc_root = fp.root();
  ASSERT_EQ(SignalSameProcess(env, child, 100, SIGSTOP), "");
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, WUNTRACED), child);
  ASSERT_TRUE(WIFSTOPPED(status));
  json undo{{"action", "stop"},
            {"processes", json::array({json{{"pid", child}, {"start_time", 100}}})}};
  env.after_pidfd_open = [&](int pid) { fp.Add(pid, "other", "other", 'S', 101); };
  sdk::Reply skipped = Undo("stop", undo, env);
  ASSERT_EQ(skipped.status, CHAOSRUN_OK) << skipped.value.dump();
  EXPECT_EQ(skipped.value["continued"], json::array());
  EXPECT_EQ(skipped.value["skipped"][0]["reason"], "pid reused by another process");
  env.after_pidfd_open = nullptr;
  fp.Add(child, "child", "child", 'S', 100);
  sdk::Reply cont = Undo("stop", undo, env);
  EXPECT_EQ(cont.value["continued"], json::array({child}));
  ASSERT_EQ(::waitpid(child, &status, WCONTINUED), child);
  EXPECT_TRUE(WIFCONTINUED(status));
  ::kill(child, SIGKILL);
  ::waitpid(child, &status, 0);
}

}  // namespace
}  // namespace chaosrun::drivers::process
