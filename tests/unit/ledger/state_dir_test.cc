// The state directory and the ledger are private to their user, and that is checked: ownership
// and mode refusals, creation modes under umask 0, the default directory without a shared
// fallback, and the runner identity the ledger keeps in each intent. Tests run as root, so the
// "another user" cases use chown to uid 65534.
#include "ledger/state_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "ledger/ledger.h"
#include "ledger/runner.h"
#include "support/temp_dir.h"

namespace chaosrun::ledger {
namespace {

mode_t ModeOf(const std::string& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

class UmaskZero {
 public:
  UmaskZero() : old_(::umask(0)) {}
  ~UmaskZero() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(StateDir, CreatedPrivateWhateverTheUmask) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string() + "/a/b/state";
  UmaskZero umask0;
  auto l = Ledger::Open(dir);
  ASSERT_TRUE(l.has_value()) << l.error().message();
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(tmp.path().string() + "/a"), 0700u);  // missing parents too
  EXPECT_EQ(ModeOf(dir + "/ledger.jsonl"), 0600u);
  ASSERT_TRUE((*l)->RecordApplied("x").ok());
  // Reopening an existing, private ledger works.
  EXPECT_TRUE(Ledger::Open(dir).has_value());
}

TEST(StateDir, GroupOrOtherWritableDirectoryIsRefusedNamingPathAndMode) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string() + "/state";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0777), 0);
  auto l = Ledger::Open(dir);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().message(),
            "refusing the state directory " + dir +
                ": mode 0777 (group or others can write); it must belong to uid " +
                std::to_string(::geteuid()) + " and be writable only by it");
  EXPECT_FALSE(CheckStateDir(dir).has_value());
  ASSERT_EQ(::chmod(dir.c_str(), 0720), 0);  // group-writable only
  EXPECT_NE(CheckStateDir(dir).error().message().find("mode 0720"), std::string::npos);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);  // readable by others is allowed
  EXPECT_TRUE(CheckStateDir(dir).value_or(false));
}

TEST(StateDir, DirectoryOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  testing::TempDir tmp;
  std::string dir = tmp.path().string() + "/state";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
  auto l = Ledger::Open(dir);
  ASSERT_FALSE(l.has_value());
  EXPECT_NE(
      l.error().message().find("refusing the state directory " + dir + ": it belongs to uid 65534"),
      std::string::npos)
      << l.error().message();
}

TEST(StateDir, LedgerOfAnotherUserOrWritableByOthersIsRefused) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  std::string path = dir + "/ledger.jsonl";
  ASSERT_TRUE(Ledger::Open(dir).has_value());
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  auto l = Ledger::Open(dir);
  ASSERT_FALSE(l.has_value());
  EXPECT_NE(l.error().message().find("refusing the ledger " + path +
                                     ": mode 0666 (group or others can write)"),
            std::string::npos)
      << l.error().message();
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
    l = Ledger::Open(dir);
    ASSERT_FALSE(l.has_value());
    EXPECT_NE(l.error().message().find("it belongs to uid 65534"), std::string::npos)
        << l.error().message();
  }
}

TEST(StateDir, SymlinkedLedgerIsRefused) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  std::ofstream(dir + "/elsewhere") << "";
  ASSERT_EQ(::symlink((dir + "/elsewhere").c_str(), (dir + "/ledger.jsonl").c_str()), 0);
  auto l = Ledger::Open(dir);
  ASSERT_FALSE(l.has_value());
  EXPECT_NE(l.error().message().find("symbolic link"), std::string::npos);
}

TEST(StateDir, CheckPrivateNamesOwnerAndMode) {
  struct stat st {};
  st.st_uid = 65534;
  st.st_mode = S_IFDIR | 0777;
  Status s = CheckPrivate("/x/state", st, 0, "state directory");
  EXPECT_EQ(s.message(),
            "refusing the state directory /x/state: it belongs to uid 65534, mode 0777 (group or "
            "others can write); it must belong to uid 0 and be writable only by it");
  st.st_uid = 0;
  st.st_mode = S_IFDIR | 0700;
  EXPECT_TRUE(CheckPrivate("/x/state", st, 0, "state directory").ok());
}

TEST(StateDir, AbsentDirectoryIsNotAnError) {
  testing::TempDir tmp;
  auto r = CheckStateDir(tmp.path().string() + "/none");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r);
}

TEST(DefaultStateDir, RootXdgHomeThenRefuse) {
  EXPECT_EQ(DefaultStateDirFor(0, "/x", "/h").value(), "/var/lib/chaosrun");
  EXPECT_EQ(DefaultStateDirFor(1000, "/x/state/", "/h").value(), "/x/state/chaosrun");
  EXPECT_EQ(DefaultStateDirFor(1000, nullptr, "/home/u").value(), "/home/u/.local/state/chaosrun");
  EXPECT_EQ(DefaultStateDirFor(1000, "", "/home/u").value(), "/home/u/.local/state/chaosrun");
  EXPECT_EQ(DefaultStateDirFor(1000, "relative", "/home/u").value(),
            "/home/u/.local/state/chaosrun");
  for (auto [xdg, home] :
       {std::pair<const char*, const char*>{nullptr, nullptr}, {"", ""}, {"rel", "rel"}}) {
    auto r = DefaultStateDirFor(1000, xdg, home);
    ASSERT_FALSE(r.has_value());  // never a shared /tmp fallback
    EXPECT_NE(r.error().message().find("--state-dir"), std::string::npos);
    EXPECT_NE(r.error().message().find("HOME"), std::string::npos);
    EXPECT_NE(r.error().message().find("XDG_STATE_HOME"), std::string::npos);
  }
}

TEST(Runner, IntentKeepsOnlyWhatTheUndoNeedsAndTheRunnerIdentity) {
  testing::TempDir tmp;
  auto l = Ledger::Open(tmp.path().string());
  ASSERT_TRUE(l.has_value());
  Json intent = {{"id", "f1"},        {"run", "r"},       {"driver", "process"},
                 {"func", "stop"},    {"targets", {"t"}}, {"undo", {1}},
                 {"time", 5.0},       {"op", "bogus"},    {"plan", {{"secret", "hunter2"}}},
                 {"runner", "forged"}};
  ASSERT_TRUE((*l)->RecordIntent(intent).ok());
  auto p = (*l)->Pending();
  ASSERT_EQ(p->size(), 1u);
  const Json& rec = (*p)[0].intent;
  EXPECT_EQ(rec["op"], "intent");
  EXPECT_FALSE(rec.contains("plan"));
  EXPECT_EQ(rec["undo"], Json({1}));
  EXPECT_EQ(rec["runner"]["pid"], ::getpid());
  EXPECT_EQ(rec["runner"]["boot_id"], CurrentBootId());
  EXPECT_FALSE(CurrentBootId().empty());
  EXPECT_TRUE(RunnerAlive(rec["runner"]));  // this very process
}

TEST(Runner, AliveOnlyOnTheSameBootWithTheSamePidAndStartTime) {
  RunnerIdentity self = SelfIdentity();
  ASSERT_GT(self.start, 0u);
  EXPECT_EQ(ProcessStartTime(::getpid()), self.start);
  Json j = self.ToJson();
  auto start_of = [&](pid_t p) -> std::optional<uint64_t> {
    return p == self.pid ? std::optional<uint64_t>(self.start) : std::nullopt;
  };
  EXPECT_TRUE(RunnerAlive(j, self.boot_id, start_of));
  EXPECT_FALSE(RunnerAlive(j, "another-boot", start_of));  // an earlier boot: never alive
  Json recycled = j;
  recycled["start"] = self.start + 1;  // the pid now belongs to another process
  EXPECT_FALSE(RunnerAlive(recycled, self.boot_id, start_of));
  EXPECT_FALSE(RunnerAlive(nullptr, self.boot_id, start_of));  // an intent without a runner
  EXPECT_FALSE(RunnerAlive(Json{{"pid", "1"}}, self.boot_id, start_of));
  // A process that has exited.
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  Json gone = j;
  gone["pid"] = child;
  EXPECT_FALSE(RunnerAlive(gone));
}

TEST(Runner, ParsesStartTimeAfterACommWithSpacesAndParentheses) {
  std::string stat = "42 (a b) c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 777 19 20";
  EXPECT_EQ(ParseStartTime(stat), 777u);
  EXPECT_EQ(ParseStartTime("42 (x) S 1 2"), std::nullopt);
  EXPECT_EQ(ParseStartTime("garbage"), std::nullopt);
}

}  // namespace
}  // namespace chaosrun::ledger
