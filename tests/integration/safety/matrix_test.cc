// Issue 11's proof: the end-to-end safety matrix. The REAL chaosrun binary runs an experiment
// whose method stops (process driver, `stop`) a `sleep` this test started; each cell meets the run
// with one trigger in one phase:
//
//   triggers: stderr closed (SIGPIPE), stdout+stderr closed, SIGHUP, SIGTERM, SIGINT, SIGQUIT,
//             `chaosrun halt`, `--deadline`
//   phases:   before-hypothesis, method, after-hypothesis, the experiment's own rollbacks
//
// In every cell the target is running afterwards, the ledger is empty and the journal exists. A
// closed output pipe never ends a run (it completes, exit 0); every other trigger interrupts it in
// that phase (status "interrupted", exit 1, the phase's gate is the activity cut short).
//
// The phase is reached deterministically: each phase has a fifo gate (fifo_gate.h) that blocks
// until the test releases it; the test waits for the gate's marker, checks the fault is (or is not
// yet) applied, triggers, and then releases the gates (closed pipes) or nothing (interruptions).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "experiment.h"
#include "fifo_gate.h"
#include "harness.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::safety_test {
namespace {

enum class Trigger {
  kStderrClosed,
  kOutputsClosed,
  kSighup,
  kSigterm,
  kSigint,
  kSigquit,
  kHalt,
  kDeadline
};
enum class Where { kBefore, kMethod, kAfter, kRollbacks };

struct Cell {
  Trigger trigger;
  Where where;
};

// The gate occurrence of each phase, in the order the run meets them (indexed by Where).
const std::array<std::string, 4> kMatrixGates = {"hb.1", "m.1", "hb.2", "rb.1"};
// The run's deadline in the --deadline cells: the phases before the gate pass in milliseconds.
constexpr const char* kDeadlineSeconds = "4";

std::string TriggerName(Trigger t) {
  switch (t) {
    case Trigger::kStderrClosed:
      return "StderrClosed";
    case Trigger::kOutputsClosed:
      return "StdoutAndStderrClosed";
    case Trigger::kSighup:
      return "SIGHUP";
    case Trigger::kSigterm:
      return "SIGTERM";
    case Trigger::kSigint:
      return "SIGINT";
    case Trigger::kSigquit:
      return "SIGQUIT";
    case Trigger::kHalt:
      return "Halt";
    case Trigger::kDeadline:
      return "Deadline";
  }
  return "?";
}

std::string WhereName(Where w) {
  switch (w) {
    case Where::kBefore:
      return "BeforeHypothesis";
    case Where::kMethod:
      return "Method";
    case Where::kAfter:
      return "AfterHypothesis";
    case Where::kRollbacks:
      return "Rollbacks";
  }
  return "?";
}

bool ClosesOutput(Trigger t) { return t == Trigger::kStderrClosed || t == Trigger::kOutputsClosed; }

int SignalOf(Trigger t) {
  switch (t) {
    case Trigger::kSighup:
      return SIGHUP;
    case Trigger::kSigterm:
      return SIGTERM;
    case Trigger::kSigint:
      return SIGINT;
    case Trigger::kSigquit:
      return SIGQUIT;
    default:
      return 0;
  }
}

std::vector<Cell> AllCells() {
  std::vector<Cell> cells;
  for (Trigger t :
       {Trigger::kStderrClosed, Trigger::kOutputsClosed, Trigger::kSighup, Trigger::kSigterm,
        Trigger::kSigint, Trigger::kSigquit, Trigger::kHalt, Trigger::kDeadline}) {
    for (Where w : {Where::kBefore, Where::kMethod, Where::kAfter, Where::kRollbacks}) {
      cells.push_back({t, w});
    }
  }
  return cells;
}

// What ctest and gtest show for the parameter (instead of the object's bytes).
void PrintTo(const Cell& c, std::ostream* os) {
  *os << TriggerName(c.trigger) << " in " << WhereName(c.where);
}

std::string CellName(const ::testing::TestParamInfo<Cell>& info) {
  return TriggerName(info.param.trigger) + "_In" + WhereName(info.param.where);
}

// The journal records of `phase` (hypothesis probes, method steps or rollbacks).
Json PhaseRecords(const Json& journal, Where w) {
  if (!journal.is_object()) return Json::array();
  Json r;
  if (w == Where::kBefore || w == Where::kAfter) {
    const char* key = w == Where::kBefore ? "before" : "after";
    if (journal.contains("steady_states") && journal["steady_states"].is_object() &&
        journal["steady_states"].contains(key) && journal["steady_states"][key].is_object()) {
      r = journal["steady_states"][key].value("probes", Json::array());
    }
  } else {
    r = journal.value(w == Where::kMethod ? "run" : "rollbacks", Json::array());
  }
  return r.is_array() ? r : Json::array();
}

// The record of activity `name` among `records` (null if absent).
Json NamedRecord(const Json& records, const std::string& name) {
  for (const auto& r : records) {
    if (r.is_object() && r.contains("activity") && r["activity"].is_object() &&
        r["activity"].value("name", "") == name) {
      return r;
    }
  }
  return nullptr;
}

class SafetyMatrixTest : public ::testing::TestWithParam<Cell> {
 protected:
  static void SetUpTestSuite() { chaosrun::testing::BecomeChildSubreaper(); }

  void TearDown() override {
    if (pipe_fd_ >= 0) ::close(pipe_fd_);
    if (pid_ > 0 && exit_code_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (const auto& g : kMatrixGates) UnblockGate(dir(), g);
    for (pid_t p : PidsWithCmdline(dir())) KillAndReap(p);  // gates orphaned by a killed run
    KillAndReap(target_);
    ReapExited();
  }

  std::string dir() const { return tmp_.path().string(); }
  std::string state() const { return dir() + "/state"; }
  std::string journal_path() const { return dir() + "/journal.json"; }

  Json BuildExperiment(const std::string& target_regex) const {
    Json e =
        Experiment("safety matrix",
                   Json::array({DriverAction("stop-target", "stop", {{"cmdline", target_regex}}),
                                FifoGate("action", "m", dir())}));
    e["steady-state-hypothesis"] = {{"title", "gated"},
                                    {"probes", Json::array({FifoGate("probe", "hb", dir())})}};
    e["rollbacks"] = Json::array({FifoGate("action", "rb", dir())});
    return e;
  }

  // Starts chaosrun with every signal at its default disposition (so an ignored SIGPIPE or SIGINT
  // inherited from the test runner cannot make a cell pass), stdin on /dev/null, and stderr (and
  // stdout, for kOutputsClosed) on a pipe whose read end the test holds, or else on files.
  void Start(const std::vector<std::string>& args, Trigger trigger) {
    std::vector<std::string> argv = {CHAOSRUN_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int fds[2] = {-1, -1};
    bool piped = ClosesOutput(trigger);
    if (piped) {
      ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0) << std::strerror(errno);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (trigger == Trigger::kOutputsClosed) {
      posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    } else {
      posix_spawn_file_actions_addopen(&fa, 1, (dir() + "/run.stdout").c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    if (piped) {
      posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    } else {
      posix_spawn_file_actions_addopen(&fa, 2, (dir() + "/run.stderr").c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(&pid_, CHAOSRUN_BINARY, &fa, &attr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (piped) {
      ::close(fds[1]);  // chaosrun holds the only write end
      pipe_fd_ = fds[0];
      ::fcntl(pipe_fd_, F_SETFL, O_NONBLOCK);
    }
    ASSERT_EQ(rc, 0) << "cannot start " << CHAOSRUN_BINARY << ": " << std::strerror(rc);
  }

  // Keeps the pipe from filling up (what chaosrun wrote is kept for failure messages).
  void Drain() {
    if (pipe_fd_ < 0) return;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(pipe_fd_, buf, sizeof buf)) > 0) piped_.append(buf, static_cast<size_t>(n));
  }

  // True once chaosrun has exited (reaped; exit_code_ set, or 128 + signal).
  bool Exited() {
    if (exit_code_ >= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }

  std::string Output() const {
    return "chaosrun exit " + std::to_string(exit_code_) + "\n--- on the pipe ---\n" + piped_ +
           "--- stderr file ---\n" + ReadFile(dir() + "/run.stderr") + "--- debug log ---\n" +
           ReadFile(dir() + "/run.log") + "--- journal ---\n" + ReadFile(journal_path());
  }

  void Fire(const Cell& c) {
    if (ClosesOutput(c.trigger)) {
      Drain();
      ::close(pipe_fd_);
      pipe_fd_ = -1;
    } else if (int sig = SignalOf(c.trigger); sig != 0) {
      ASSERT_EQ(::kill(pid_, sig), 0) << std::strerror(errno);
    } else if (c.trigger == Trigger::kHalt) {
      Chaosrun halt = RunChaosrun({"halt", "--state-dir", state()}, dir(), "halt");
      ASSERT_EQ(halt.exit_code, 0) << halt.Output();
    }  // kDeadline: nothing to do, the gate stays closed until the deadline passes
  }

  chaosrun::testing::TempDir tmp_;
  pid_t target_ = -1;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  int pipe_fd_ = -1;
  std::string piped_;
};

TEST_P(SafetyMatrixTest, TargetRunningLedgerEmptyJournalWritten) {
  const Cell c = GetParam();
  const size_t at = static_cast<size_t>(c.where);
  const bool completes = ClosesOutput(c.trigger);
  const std::string cell = TriggerName(c.trigger) + " in " + WhereName(c.where);

  std::string arg = "300." + std::to_string(::getpid()) + "1" + std::to_string(at);
  target_ = Spawn({"sleep", arg});
  ASSERT_GT(target_, 0);
  ASSERT_TRUE(WaitUntil([&] { return StateOf(target_) == 'S'; }));
  for (const auto& g : kMatrixGates) ASSERT_TRUE(MakeGateFifo(dir(), g)) << std::strerror(errno);
  std::string escaped = arg;
  escaped.replace(escaped.find('.'), 1, "\\.");
  std::string regex = "^sleep " + escaped + "$";
  std::string exp_path = tmp_.Write("experiment.json", BuildExperiment(regex).dump(2));
  std::vector<std::string> args = {"--verbose", "--log-file",     dir() + "/run.log",
                                   "run",       exp_path,         "--state-dir",
                                   state(),     "--journal-path", journal_path()};
  if (c.trigger == Trigger::kDeadline) args.insert(args.end(), {"--deadline", kDeadlineSeconds});
  Start(args, c.trigger);

  for (size_t i = 0; i < kMatrixGates.size(); ++i) {
    const std::string& gate = kMatrixGates[i];
    bool reached = WaitUntil(
        [&] {
          Drain();
          return GateReached(dir(), gate) || Exited();
        },
        std::chrono::seconds(30));
    ASSERT_TRUE(reached && GateReached(dir(), gate))
        << cell << ": the run never reached gate " << gate << "\n"
        << Output();
    if (i == at) {
      if (c.where == Where::kBefore) {
        EXPECT_FALSE(IsStopped(target_) || WasStoppedOrContinued(target_))
            << "the target was touched before the method";
      } else {
        EXPECT_TRUE(IsStopped(target_))
            << "the fault is not applied at gate " << gate << ": state " << StateOf(target_);
      }
      Fire(c);
      if (!completes) break;
    }
    ASSERT_TRUE(ReleaseGate(dir(), gate)) << "gate " << gate << " has no reader\n" << Output();
  }

  auto cap = std::chrono::seconds(c.trigger == Trigger::kDeadline ? 30 : 15);
  ASSERT_TRUE(WaitUntil(
      [&] {
        Drain();
        return Exited();
      },
      cap))
      << cell << ": the run did not end\n"
      << Output();

  // Afterwards: the target runs, the ledger is empty, the journal exists.
  EXPECT_TRUE(WaitUntil([&] { return IsRunning(target_); }, std::chrono::seconds(5)))
      << cell << ": the target is not running: state " << StateOf(target_) << "\n"
      << Output();
  EXPECT_TRUE(LedgerEmpty(state())) << cell << ": ledger:\n"
                                    << ReadFile(state() + "/ledger.jsonl") << Output();
  Json j = LoadJson(journal_path());
  ASSERT_TRUE(j.is_object()) << cell << ": no journal\n" << Output();

  const bool fault_applied = completes || c.where != Where::kBefore;
  if (fault_applied) {
    EXPECT_TRUE(WasStoppedOrContinued(target_)) << cell << ": the target was never stopped";
    ASSERT_TRUE(j.contains("faults") && j["faults"].is_array() && j["faults"].size() == 1)
        << cell << ": " << j.dump(2);
    EXPECT_TRUE(j["faults"][0].value("applied", false)) << j["faults"].dump(2);
    EXPECT_TRUE(j["faults"][0].value("undone", false)) << j["faults"].dump(2);
  } else {
    EXPECT_FALSE(WasStoppedOrContinued(target_)) << cell << ": the target was touched";
    EXPECT_TRUE(!j.contains("faults") || j["faults"].empty()) << j.dump(2);
  }

  if (completes) {
    EXPECT_EQ(exit_code_, 0) << cell << ": a closed output must not end the run\n" << Output();
    EXPECT_EQ(j.value("status", ""), "completed") << cell << "\n" << Output();
    EXPECT_FALSE(j.value("deviated", true)) << j.dump(2);
    for (size_t i = 0; i < kMatrixGates.size(); ++i) {
      Json rec = NamedRecord(PhaseRecords(j, static_cast<Where>(i)), i == 1   ? "gate-m"
                                                                     : i == 3 ? "gate-rb"
                                                                              : "gate-hb");
      EXPECT_EQ(rec.is_object() ? rec.value("status", "") : "", "succeeded")
          << cell << ": gate " << kMatrixGates[i] << " record " << rec.dump(2);
    }
    return;
  }

  EXPECT_EQ(exit_code_, 1) << cell << " (docs/cli.md: an interrupted run exits 1)\n" << Output();
  EXPECT_EQ(j.value("status", ""), "interrupted") << cell << "\n" << Output();
  // The run was cut in that phase: the phase's gate is the activity cut short (its record has no
  // status, docs/cli.md), and no later gate was reached.
  const char* names[] = {"gate-hb", "gate-m", "gate-hb", "gate-rb"};
  Json cut = NamedRecord(PhaseRecords(j, c.where), names[at]);
  ASSERT_TRUE(cut.is_object()) << cell << ": no record of " << names[at] << " in "
                               << WhereName(c.where) << "\n"
                               << j.dump(2);
  EXPECT_FALSE(cut.contains("status")) << cell << ": the gate was not cut short: " << cut.dump(2);
  for (size_t i = at + 1; i < kMatrixGates.size(); ++i) {
    EXPECT_FALSE(GateReached(dir(), kMatrixGates[i])) << cell << ": reached " << kMatrixGates[i];
  }
  std::string why = j.value("interruption", "");
  if (c.trigger == Trigger::kHalt) {
    EXPECT_NE(why.find("kill switch"), std::string::npos) << cell << ": " << why;
  } else if (c.trigger == Trigger::kDeadline) {
    EXPECT_NE(why.find("deadline"), std::string::npos) << cell << ": " << why;
  } else {
    EXPECT_FALSE(why.empty()) << cell << ": no interruption reason\n" << j.dump(2);
  }
}

INSTANTIATE_TEST_SUITE_P(Matrix, SafetyMatrixTest, ::testing::ValuesIn(AllCells()), CellName);

}  // namespace
}  // namespace chaosrun::safety_test
