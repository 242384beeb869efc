// The process provider against real child processes. No test sleeps or measures wall time: a
// child tells the test where it is through a FIFO, and killed process groups are proven gone by
// reaping their members (this binary is their subreaper) and kill(-pgid, 0) failing with ESRCH.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <thread>

#include "providers/provider.h"
#include "providers/spawn.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

namespace chaosrun::providers {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Kind = Outcome::Kind;

class ProcessProviderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chaosrun::testing::BecomeChildSubreaper(); }

  static Outcome RunJson(const Json& provider, const Context& ctx = Context{}) {
    return RunProcess(provider, ctx);
  }
  static Json Sh(const std::string& script) {
    return Json{{"type", "process"}, {"path", "sh"}, {"arguments", Json::array({"-c", script})}};
  }
};

TEST_F(ProcessProviderTest, EchoWithListArguments) {
  Outcome o = RunJson(Json::parse(
      R"({"type": "process", "path": "echo", "arguments": ["hello", 42, true, null, "", "x y"]})"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 0);
  EXPECT_EQ(o.output["stdout"], "hello 42 True x y\n");  // trailing newline kept
  EXPECT_EQ(o.output["stderr"], "");
  // The output's keys are in the reference's order.
  EXPECT_EQ(o.output.dump(), R"({"status":0,"stdout":"hello 42 True x y\n","stderr":""})");
}

TEST_F(ProcessProviderTest, ArgvZeroIsTheResolvedPath) {
  Outcome o = RunJson(Sh("echo \"$0\""));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_THAT(o.output["stdout"].get<std::string>(), StartsWith("/"));
}

TEST_F(ProcessProviderTest, StringArgumentsUseTheShell) {
  Outcome o = RunJson(Json::parse(
      R"({"type": "process", "path": "echo", "arguments": "one 'two  three' | tr o 0; echo $((1+2)) >&2"})"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["stdout"], "0ne tw0  three\n");
  EXPECT_EQ(o.output["stderr"], "3\n");
}

TEST_F(ProcessProviderTest, DictArgumentsAreFlattened) {
  Outcome o = RunJson(Json::parse(
      R"({"type": "process", "path": "printf", "arguments": {"[%s]": "v", "[%s]\n": null}})"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["stdout"], "[v][[%s]\n]");
}

TEST_F(ProcessProviderTest, NonZeroExitIsData) {
  Outcome o = RunJson(Sh("echo out; echo err >&2; exit 3"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], 3);
  EXPECT_EQ(o.output["stdout"], "out\n");
  EXPECT_EQ(o.output["stderr"], "err\n");
}

TEST_F(ProcessProviderTest, StdinIsInheritedNotClosed) {
  // The child sees a valid descriptor 0 (whatever the test runner's stdin is).
  Outcome o = RunJson(Sh("[ -e /proc/self/fd/0 ] && echo yes"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["stdout"], "yes\n");
}

TEST_F(ProcessProviderTest, LargeOutputOnBothStreams) {
  Outcome o = RunJson(
      Sh("head -c 3000000 /dev/zero | tr '\\0' a; head -c 2000000 /dev/zero | tr '\\0' b >&2"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["stdout"].get_ref<const std::string&>(), std::string(3000000, 'a'));
  EXPECT_EQ(o.output["stderr"].get_ref<const std::string&>(), std::string(2000000, 'b'));
}

TEST_F(ProcessProviderTest, InvalidUtf8IsReplaced) {
  Outcome o = RunJson(Sh("printf 'ok\\377end'"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["stdout"],
            "ok\xEF\xBF\xBD"
            "end");
}

TEST_F(ProcessProviderTest, KilledBySignalGivesNegativeStatus) {
  Outcome o = RunJson(Sh("kill -9 $$"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], -9);
}

TEST_F(ProcessProviderTest, ChildGetsEngineSignalsUnblockedAndDefault) {
  // The engine blocks these signals in every thread; the child must not inherit that mask.
  chaosrun::testing::ScopedEngineSignalMask mask;
  Outcome o = RunJson(Sh("kill -TERM $$; echo survived"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["status"], -SIGTERM);
  EXPECT_EQ(o.output["stdout"], "");
}

TEST_F(ProcessProviderTest, TimeoutFails) {
  Outcome o = RunJson(Json::parse(R"({"type": "process", "path": "sleep", "arguments": ["30"],
                              "timeout": 0.2})"));
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "process activity took too long to complete");
  EXPECT_TRUE(o.output.is_null());
}

TEST_F(ProcessProviderTest, TimeoutKillsTheWholeGroupIncludingBackgroundGrandchild) {
  pid_t pgid = -1;
  SpawnOptions options;
  options.timeout = std::chrono::milliseconds(200);
  options.on_spawn = [&](pid_t pid) { pgid = pid; };
  auto r = SpawnAndWait({"/bin/sh", "-c", "sleep 30 & sleep 31; wait"}, CancelToken(), options);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->end, ProcessResult::End::kTimedOut);
  EXPECT_EQ(r->status, -SIGKILL);
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(chaosrun::testing::ReapAndCheckGroupGone(pgid));
}

TEST_F(ProcessProviderTest, CancellationKillsTheGroupAndIsInterrupted) {
  chaosrun::testing::TempDir dir;
  chaosrun::testing::Fifo fifo((dir.path() / "started").string());
  CancelSource source;
  Context ctx{source.token()};
  pid_t pgid = -1;
  std::thread canceller([&] {
    const std::string text = fifo.ReadAll();
    pgid = static_cast<pid_t>(std::atoi(text.c_str()));
    source.Cancel("SIGTERM signal received");
  });
  Outcome o = RunJson(Sh("sleep 30 & echo $$ > '" + fifo.path() + "'; sleep 31; wait"), ctx);
  fifo.Release();  // in case the child never wrote (the assertions below then fail)
  canceller.join();
  EXPECT_EQ(o.kind, Kind::kInterrupted) << o.error;
  EXPECT_TRUE(o.output.is_null());
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(chaosrun::testing::ReapAndCheckGroupGone(pgid));
}

TEST_F(ProcessProviderTest, AlreadyCancelledDoesNotStartAnything) {
  chaosrun::testing::TempDir dir;
  CancelSource source;
  source.Cancel("stop");
  const std::string marker = (dir.path() / "ran").string();
  Outcome o = RunJson(Sh("touch '" + marker + "'"), Context{source.token()});
  EXPECT_EQ(o.kind, Kind::kInterrupted);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(ProcessProviderTest, ExitedChildWithBackgroundHolderWaitsForEofLikeTheReference) {
  // The shell exits at once, but a grandchild keeps stdout open until it has written.
  Outcome o = RunJson(Sh("(echo late) & echo early"));
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  const std::string out = o.output["stdout"];
  EXPECT_THAT(out, HasSubstr("early\n"));
  EXPECT_THAT(out, HasSubstr("late\n"));
}

TEST_F(ProcessProviderTest, FallbackWithoutPidfdCapturesAndTimesOut) {
  SpawnOptions options;
  options.force_wait_thread = true;
  auto r =
      SpawnAndWait({"/bin/sh", "-c", "echo out; echo err >&2; exit 4"}, CancelToken(), options);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->end, ProcessResult::End::kExited);
  EXPECT_EQ(r->status, 4);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");

  pid_t pgid = -1;
  options.timeout = std::chrono::milliseconds(100);
  options.on_spawn = [&](pid_t pid) { pgid = pid; };
  r = SpawnAndWait({"/bin/sh", "-c", "sleep 30 & sleep 31; wait"}, CancelToken(), options);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->end, ProcessResult::End::kTimedOut);
  EXPECT_TRUE(chaosrun::testing::ReapAndCheckGroupGone(pgid));
}

TEST_F(ProcessProviderTest, OutputBeyondTheCapIsDrainedAndTruncated) {
  SpawnOptions options;
  options.max_capture = 1000;
  auto r = SpawnAndWait({"/bin/sh", "-c", "head -c 500000 /dev/zero; echo done >&2"}, CancelToken(),
                        options);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->end, ProcessResult::End::kExited);
  EXPECT_EQ(r->status, 0);  // the child was never blocked on a full pipe
  EXPECT_EQ(r->out.size(), 1000u);
  EXPECT_TRUE(r->out_truncated);
  EXPECT_EQ(r->err, "done\n");
  EXPECT_FALSE(r->err_truncated);
}

TEST_F(ProcessProviderTest, NonExecutableFailsToStart) {
  chaosrun::testing::TempDir dir;
  auto r = SpawnAndWait({(dir.path() / "missing").string()}, CancelToken(), SpawnOptions{});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("cannot start"));
}

TEST_F(ProcessProviderTest, UnstartableExecutableFails) {
  chaosrun::testing::TempDir dir;
  const std::string bad = dir.Write("bad.bin", std::string("\x7f"
                                                           "ELF-not-really",
                                                           15));
  std::filesystem::permissions(bad, std::filesystem::perms::owner_all);
  Outcome o = RunJson(Json{{"type", "process"}, {"path", bad}});
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "cannot start '" + bad + "': Exec format error");
}

TEST_F(ProcessProviderTest, HomeIsExpandedInPath) {
  chaosrun::testing::TempDir dir;
  const std::string script = dir.Write("bin/hello.sh", "#!/bin/sh\necho from home\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  ::setenv("HOME", dir.path().c_str(), 1);
  Outcome o = RunJson(Json::parse(R"({"type": "process", "path": "~/bin/hello.sh"})"));
  if (old_home) {
    ::setenv("HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("HOME");
  }
  ASSERT_EQ(o.kind, Kind::kSucceeded) << o.error;
  EXPECT_EQ(o.output["stdout"], "from home\n");
}

TEST_F(ProcessProviderTest, NoDescriptorLeaks) {
  auto count_fds = [] {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  };
  RunJson(Sh("true"));  // warm up lazily opened descriptors
  const int before = count_fds();
  for (int i = 0; i < 20; ++i) {
    RunJson(Sh("echo x"));
    RunJson(Json::parse(R"({"type": "process", "path": "sleep", "arguments": ["5"],
                            "timeout": 0.01})"));
  }
  EXPECT_EQ(count_fds(), before);
}

}  // namespace
}  // namespace chaosrun::providers
