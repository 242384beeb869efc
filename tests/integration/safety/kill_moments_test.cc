// Issue 3, proof 1: SIGKILL the real `chaosrun run` at 20 distinct moments of an experiment
// that stops three processes this test started; after each kill `chaosrun recover` leaves the
// three running and the ledger empty, a second recover is a no-op, and (once) a run refuses to
// start while the ledger holds unrecovered faults.
//
// The moments are reached deterministically, never by timing:
//  * gates (see experiment.h): the runner is known to be blocked in a given step;
//  * the ledger's flock: the test holds it, lets the runner go, and waits until /proc/locks shows
//    the runner blocked on it (prepare done but the intent not written; or, during the final
//    undo, the first SIGCONT sent but its `reverted` record not written);
//  * a target held in vfork: process B is a forked helper whose vfork child the test controls.
//    A vfork parent cannot stop until the child exits, so the SIGSTOP the driver sends stays
//    pending: the test sees the intent in the ledger and the pending SIGSTOP — the fault is
//    being applied, `applied` is not recorded — and kills the runner right there.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "experiment.h"
#include "harness.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

namespace chaosrun::safety_test {
namespace {

// The gate occurrences of the experiment, in the order the runner meets them.
const std::vector<std::string> kGates = {"hb1.1", "hb2.1",   // before-hypothesis
                                         "m0a.1", "m0b.1",   // method, before any fault
                                         "m1a.1", "m1b.1",   // after fault A
                                         "m2a.1", "m2b.1",   // after fault B
                                         "m3a.1", "m3b.1",   // after fault C
                                         "hb1.2", "hb2.2",   // after-hypothesis
                                         "rb1.1", "rb2.1"};  // the experiment's own rollbacks

enum class Kind { kStart, kGate, kLock, kVfork };
struct Moment {
  Kind kind;
  std::string gate;  // kGate: kill there; kLock/kVfork: the gate just before
  std::string what;
  bool a, b, c;  // which of A, B, C are stopped when the runner dies
};

const std::vector<Moment> kMoments = {
    {Kind::kStart, "", "right after exec, before anything", false, false, false},
    {Kind::kGate, "hb1.1", "before-hypothesis, probe 1", false, false, false},
    {Kind::kGate, "hb2.1", "before-hypothesis, probe 2", false, false, false},
    {Kind::kGate, "m0a.1", "method step 1, before any fault", false, false, false},
    {Kind::kGate, "m0b.1", "method step 2, before any fault", false, false, false},
    {Kind::kLock, "m0b.1", "fault A prepared, its intent not yet written", false, false, false},
    {Kind::kGate, "m1a.1", "after fault A (1)", true, false, false},
    {Kind::kGate, "m1b.1", "after fault A (2)", true, false, false},
    {Kind::kLock, "m1b.1", "fault B prepared, its intent not yet written", true, false, false},
    {Kind::kVfork, "m1b.1", "fault B: intent synced, SIGSTOP sent, `applied` not written", true,
     true, false},
    {Kind::kGate, "m2a.1", "after fault B (1)", true, true, false},
    {Kind::kGate, "m2b.1", "after fault B (2)", true, true, false},
    {Kind::kLock, "m2b.1", "fault C prepared, its intent not yet written", true, true, false},
    {Kind::kGate, "m3a.1", "after fault C (1)", true, true, true},
    {Kind::kGate, "m3b.1", "after fault C (2)", true, true, true},
    {Kind::kGate, "hb1.2", "after-hypothesis, probe 1", true, true, true},
    {Kind::kGate, "hb2.2", "after-hypothesis, probe 2", true, true, true},
    {Kind::kGate, "rb1.1", "experiment rollbacks, step 1", true, true, true},
    {Kind::kGate, "rb2.1", "experiment rollbacks, step 2", true, true, true},
    {Kind::kLock, "rb2.1", "final undo: C continued, its `reverted` not written", true, true,
     false},
};

// The moment at which the test checks that a run refuses to start (all three faults applied).
constexpr size_t kRefuseCheckMoment = 14;

class KillMomentsTest : public ::testing::TestWithParam<size_t> {
 protected:
  static void SetUpTestSuite() { chaosrun::testing::BecomeChildSubreaper(); }

  void TearDown() override {
    Touch(dir() + "/abort");
    if (release_fd_ >= 0) {
      [[maybe_unused]] ssize_t n = ::write(release_fd_, "x", 1);
      ::close(release_fd_);
    }
    if (lock_fd_ >= 0) ::close(lock_fd_);
    if (runner_.pid > 0 && runner_.exit_code < 0) {
      ::kill(runner_.pid, SIGKILL);
      ::waitpid(runner_.pid, nullptr, 0);
    }
    for (pid_t p : {a_, b_, c_}) KillAndReap(p);
    ReapExited();
  }

  std::string dir() const { return tmp_.path().string(); }
  std::string state() const { return dir() + "/state"; }
  std::string ledger() const { return state() + "/ledger.jsonl"; }

  // B: a forked helper blocked in vfork() until the test writes to release_fd_, then pause().
  pid_t StartVforkHelper() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t p = ::fork();
    if (p == 0) {
      ::close(fds[1]);
      pid_t v = ::vfork();
      if (v == 0) {
        char ch;
        [[maybe_unused]] ssize_t n = ::read(fds[0], &ch, 1);
        ::_exit(0);
      }
      for (;;) ::pause();
    }
    ::close(fds[0]);
    release_fd_ = fds[1];
    return p;
  }

  void ReleaseVfork() {
    if (release_fd_ < 0) return;
    [[maybe_unused]] ssize_t n = ::write(release_fd_, "x", 1);
    ::close(release_fd_);
    release_fd_ = -1;
  }

  Json BuildExperiment(const std::string& tag) {
    auto stop = [&](const std::string& n, const Json& sel) {
      return DriverAction("stop-" + n, "stop", sel);
    };
    Json method = Json::array({Gate("action", "m0a", dir()), Gate("action", "m0b", dir()),
                               stop("a", {{"cmdline", "^sleep 300\\." + tag + "1$"}}),
                               Gate("action", "m1a", dir()), Gate("action", "m1b", dir()),
                               stop("b", {{"pids", Json::array({b_})}}),
                               Gate("action", "m2a", dir()), Gate("action", "m2b", dir()),
                               stop("c", {{"cmdline", "^sleep 300\\." + tag + "3$"}}),
                               Gate("action", "m3a", dir()), Gate("action", "m3b", dir())});
    Json e = Experiment("SIGKILL at a moment", method);
    e["steady-state-hypothesis"] = {
        {"title", "gates"},
        {"probes", Json::array({Gate("probe", "hb1", dir()), Gate("probe", "hb2", dir())})}};
    e["rollbacks"] = Json::array({Gate("action", "rb1", dir()), Gate("action", "rb2", dir())});
    e["blast-radius"] = {{"max-targets-per-action", 1}, {"max-targets", 3}};
    return e;
  }

  void GoUpTo(const std::string& gate) {  // lets every gate occurrence before `gate` pass
    for (const auto& g : kGates) {
      if (g == gate) break;
      Touch(dir() + "/go_" + g);
    }
  }

  chaosrun::testing::TempDir tmp_;
  pid_t a_ = -1, b_ = -1, c_ = -1;
  int release_fd_ = -1;
  int lock_fd_ = -1;
  Chaosrun runner_;
};

TEST_P(KillMomentsTest, RecoverLeavesAllThreeRunningAndTheLedgerEmpty) {
  const size_t k = GetParam();
  const Moment& m = kMoments[k];
  SCOPED_TRACE("moment " + std::to_string(k) + ": " + m.what);
  std::string tag = std::to_string(::getpid()) + (k < 10 ? "0" : "") + std::to_string(k);
  a_ = Spawn({"sleep", "300." + tag + "1"});
  b_ = StartVforkHelper();
  c_ = Spawn({"sleep", "300." + tag + "3"});
  ASSERT_GT(a_, 0);
  ASSERT_GT(b_, 0);
  ASSERT_GT(c_, 0);
  if (m.kind != Kind::kVfork) {
    ReleaseVfork();
    ASSERT_TRUE(WaitUntil([&] { return StateOf(b_) == 'S'; })) << "B never left vfork";
  } else {
    ASSERT_TRUE(WaitUntil([&] { return StateOf(b_) == 'D'; })) << "B is not held in vfork";
  }
  ASSERT_TRUE(WaitUntil([&] { return StateOf(a_) == 'S' && StateOf(c_) == 'S'; }));

  std::string exp_path = tmp_.Write("experiment.json", BuildExperiment(tag).dump(2));
  if (m.kind == Kind::kLock) {  // the test's flock needs the file; an empty ledger is clean
    ::mkdir(state().c_str(), 0700);
    Touch(ledger());
  }
  std::vector<std::string> run_args = {"run",   exp_path,         "--state-dir",
                                       state(), "--journal-path", dir() + "/journal.json"};

  // Reach the moment, then SIGKILL.
  if (m.kind == Kind::kStart) {
    runner_ = StartChaosrun(run_args, dir(), "run");
  } else if (m.kind == Kind::kGate) {
    GoUpTo(m.gate);
    runner_ = StartChaosrun(run_args, dir(), "run");
    ASSERT_TRUE(WaitUntil([&] { return Exists(dir() + "/at_" + m.gate); }))
        << "the runner never reached gate " << m.gate << "\n"
        << runner_.Output();
  } else if (m.kind == Kind::kLock) {
    GoUpTo(m.gate);
    runner_ = StartChaosrun(run_args, dir(), "run");
    ASSERT_TRUE(WaitUntil([&] { return Exists(dir() + "/at_" + m.gate); }))
        << "the runner never reached gate " << m.gate << "\n"
        << runner_.Output();
    lock_fd_ = ::open(ledger().c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(lock_fd_, 0);
    ASSERT_EQ(::flock(lock_fd_, LOCK_EX), 0);
    Touch(dir() + "/go_" + m.gate);
    ASSERT_TRUE(WaitUntil([&] { return BlockedOnFlock(runner_.pid); }))
        << "the runner never blocked on the ledger lock\n"
        << runner_.Output();
  } else {  // kVfork
    GoUpTo("m2a.1");
    runner_ = StartChaosrun(run_args, dir(), "run");
    ASSERT_TRUE(WaitUntil([&] { return LineCount(ledger()) == 3 && SignalPending(b_, SIGSTOP); }))
        << "the runner never sent SIGSTOP to B after its intent\n"
        << ReadFile(ledger()) << runner_.Output();
  }
  ASSERT_GT(runner_.pid, 0);
  ::kill(runner_.pid, SIGKILL);
  WaitChaosrun(runner_);
  EXPECT_EQ(runner_.exit_code, 128 + SIGKILL) << runner_.Output();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  Touch(dir() + "/abort");  // orphaned gates give up
  if (m.kind == Kind::kVfork) {
    ReleaseVfork();  // the pending SIGSTOP now takes effect: the fault is really applied
    ASSERT_TRUE(WaitUntil([&] { return IsStopped(b_); })) << "B state " << StateOf(b_);
  }

  // The moment is what it claims: exactly these processes are stopped.
  EXPECT_EQ(IsStopped(a_), m.a) << "A state " << StateOf(a_);
  EXPECT_EQ(IsStopped(b_), m.b) << "B state " << StateOf(b_);
  EXPECT_EQ(IsStopped(c_), m.c) << "C state " << StateOf(c_);

  if (k == kRefuseCheckMoment) {
    Chaosrun refused = RunChaosrun(run_args, dir(), "refused");
    EXPECT_EQ(refused.exit_code, 1) << refused.Output();
    EXPECT_NE(ReadFile(refused.err_path).find("chaosrun recover"), std::string::npos)
        << refused.Output();
    EXPECT_TRUE(IsStopped(a_) && IsStopped(b_) && IsStopped(c_))
        << "a refused run must not touch anything";
  }

  Chaosrun rec = RunChaosrun({"recover", "--state-dir", state()}, dir(), "recover");
  EXPECT_EQ(rec.exit_code, 0) << rec.Output();
  for (auto [name, pid] : {std::pair{"A", a_}, {"B", b_}, {"C", c_}}) {
    EXPECT_TRUE(WaitUntil([&] { return IsRunning(pid); }, std::chrono::seconds(5)))
        << name << " is not running after recover: state " << StateOf(pid) << "\n"
        << rec.Output();
  }
  EXPECT_TRUE(LedgerEmpty(state())) << "ledger after recover:\n" << ReadFile(ledger());

  Chaosrun again = RunChaosrun({"recover", "--state-dir", state()}, dir(), "recover2");
  EXPECT_EQ(again.exit_code, 0) << again.Output();
  EXPECT_NE(ReadFile(again.out_path).find("0 undone, 0 failed"), std::string::npos)
      << again.Output();
  EXPECT_NE(ReadFile(again.out_path).find("nothing to recover"), std::string::npos)
      << again.Output();
  EXPECT_TRUE(LedgerEmpty(state()));
}

INSTANTIATE_TEST_SUITE_P(TwentyMoments, KillMomentsTest, ::testing::Range<size_t>(0, 20));

}  // namespace
}  // namespace chaosrun::safety_test
