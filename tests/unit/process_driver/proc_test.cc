// procfs parsing: names with spaces and parentheses, cmdline joining, pidfiles, a fake tree,
// and one real child whose name holds spaces and parentheses.
#include "process/proc.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "fake_proc.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::drivers::process {
namespace {

using testing::FakeProc;

TEST(ParseStatTest, PlainLine) {
  auto s = ParseStat("42 (sleep) S 7 42 42 0 -1 4194304 1 2 3 4 5 6 7 8 20 0 1 0 123456 99 9\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->pid, 42);
  EXPECT_EQ(s->comm, "sleep");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 7);
  EXPECT_EQ(s->flags, 4194304u);
  EXPECT_EQ(s->start_time, 123456u);
}

TEST(ParseStatTest, NameWithSpacesAndParentheses) {
  auto s = ParseStat("77 (a) b (c)) T 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->comm, "a) b (c)");
  EXPECT_EQ(s->state, 'T');
  EXPECT_EQ(s->start_time, 555u);
  EXPECT_TRUE(IsStopped(*s));
}

TEST(ParseStatTest, RejectsMalformed) {
  for (const char* bad : {"", "(x)", "12 x S 1", "12 (x) S 1 2 3",
                          "abc (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
                          "12 (x) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
                          "12 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5",
                          "-3 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", "12 (x"}) {
    EXPECT_FALSE(ParseStat(bad).has_value()) << bad;
  }
}

TEST(ParsePidTextTest, Forms) {
  EXPECT_EQ(ParsePidText("123"), 123);
  EXPECT_EQ(ParsePidText("  123\n"), 123);
  EXPECT_FALSE(ParsePidText("").has_value());
  EXPECT_FALSE(ParsePidText("0").has_value());
  EXPECT_FALSE(ParsePidText("-5").has_value());
  EXPECT_FALSE(ParsePidText("12 34").has_value());
  EXPECT_FALSE(ParsePidText("99999999999999999999").has_value());
  EXPECT_FALSE(ParsePidText("12abc").has_value());
}

TEST(FakeProcTest, ReadsTheTree) {
  FakeProc fp;
  const int a = FakeProc::kBase + 1;
  const int b = FakeProc::kBase + 2;
  fp.Add(b, "my (svc) x", "/usr/bin/svc --flag value", 'S', 77);
  fp.Add(a, "kworker/0:1", "", 'I', 5, 0x00200000);
  EXPECT_EQ(ListPids(fp.root()), (std::vector<int>{a, b}));
  auto s = ReadStat(fp.root(), b);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->comm, "my (svc) x");
  EXPECT_EQ(ReadCmdline(fp.root(), b, 4096), "/usr/bin/svc --flag value");
  EXPECT_EQ(ReadCmdline(fp.root(), b, 8), "/usr/bin");
  EXPECT_EQ(ReadTgid(fp.root(), b), b);
  EXPECT_TRUE(IsKernelThread(*ReadStat(fp.root(), a)));
  EXPECT_TRUE(ReadSameProcess(fp.root(), b, 77).has_value());
  EXPECT_FALSE(ReadSameProcess(fp.root(), b, 78).has_value());  // a recycled pid
  EXPECT_FALSE(ReadStat(fp.root(), FakeProc::kBase + 3).has_value());
}

TEST(PrintableCommTest, ControlCharacters) {
  EXPECT_EQ(PrintableComm("a\nb\tc"), "a?b?c");
  EXPECT_EQ(PrintableComm("x (y) z"), "x (y) z");
}

// A real process whose name has spaces and parentheses, read from the real /proc.
TEST(RealProcTest, NameWithSpacesAndParentheses) {
  chaosrun::testing::TempDir dir;
  const std::string exe = (dir.path() / "cr (x) y)").string();
  std::filesystem::copy_file("/bin/sleep", exe);
  std::filesystem::permissions(exe, std::filesystem::perms::owner_all);
  std::string arg = "300.4242";
  char* argv[] = {const_cast<char*>(exe.c_str()), arg.data(), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, environ), 0);
  auto s = ReadStat("/proc", pid);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->comm, "cr (x) y)");
  EXPECT_EQ(s->pid, pid);
  EXPECT_GT(s->start_time, 0u);
}

TEST(ReadSmallFileTest, MissingAndCapped) {
  chaosrun::testing::TempDir dir;
  EXPECT_FALSE(ReadSmallFile((dir.path() / "none").string(), 10).has_value());
  std::string p = dir.Write("f", "0123456789abcdef");
  EXPECT_EQ(ReadSmallFile(p, 4), "0123");
}

}  // namespace
}  // namespace chaosrun::drivers::process
