// How a run ends (issue 11): the deadline and interrupts in every phase, the final undo hurried by
// an interrupt that arrives while it runs, a refused fault that aborts the run, and exceptions
// anywhere (a provider, a background activity, the fault hooks) that still leave the undo and a
// journal. Phases are reached with latches; time only moves when the test advances the clock.
#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>

#include "engine/runner.h"
#include "support/fake_clock.h"
#include "support/fake_dispatcher.h"
#include "support/latch.h"
#include "support/recording_observer.h"

namespace chaosrun::engine {
namespace {

// Fault hooks that record their calls; UndoAll may block until it is hurried, or throw.
class RecordingHooks final : public FaultHooks {
 public:
  Json UndoAll(const std::string& reason, const CancelToken& hurry) override {
    ++undo_calls;
    last_reason = reason;
    if (block_until_hurried) {
      undo_started.Release();
      hurry.WaitUntil(std::chrono::steady_clock::now() + std::chrono::seconds(30));
      hurried = hurry.cancelled();
    }
    if (throw_in_undo) throw std::runtime_error("hooks exploded");
    return Json::array({{{"activity", {{"name", "undo f"}}}, {"status", "succeeded"}}});
  }
  Json TakeWatchdogRecords() override { return Json::array(); }
  Json Summary() override { return Json::array({{{"id", "f"}, {"undone", true}}}); }
  std::optional<std::string> HaltReason() override { return std::nullopt; }

  std::atomic<int> undo_calls{0};
  std::string last_reason;
  bool block_until_hurried = false;
  bool throw_in_undo = false;
  std::atomic<bool> hurried{false};
  testing::Latch undo_started;
};

enum class Where { kBefore, kMethod, kAfter, kRollbacks };
enum class How { kDeadline, kInterrupt };

const char* kDoc = R"({"title": "t", "description": "d",
  "steady-state-hypothesis": {"title": "h", "probes": [
    {"type": "probe", "name": "hyp", "tolerance": 0,
     "provider": {"type": "process", "path": "true"}}]},
  "method": [{"type": "action", "name": "act", "provider": {"type": "process", "path": "true"}}],
  "rollbacks": [{"type": "action", "name": "rb", "provider": {"type": "process", "path": "true"}}]
})";

class EndingTest : public ::testing::Test {
 protected:
  // Runs `doc` on its own thread (the test drives the clock and the interrupts meanwhile).
  std::future<RunResult> Start(const std::string& doc, RunOptions options) {
    options.env = [](const std::string&) { return std::optional<std::string>(); };
    options.faults = &hooks_;
    return std::async(std::launch::async,
                      [this, doc, options] { return runner_.Run(Json::parse(doc), options); });
  }

  // `name`'s `occurrence`-th call (1-based) blocks until cancelled; the others answer 0.
  void BlockOn(const std::string& name, int occurrence) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    dispatcher_.Script(name, [this, calls, occurrence](const Json&, const providers::Context& ctx) {
      if (++*calls != occurrence) {
        return providers::Outcome::Succeeded(Json{{"status", 0}, {"stdout", ""}});
      }
      reached_.Release();
      while (!ctx.cancel.WaitUntil(std::chrono::steady_clock::now() + std::chrono::hours(1))) {
      }
      return providers::Outcome::Interrupted();
    });
  }

  testing::FakeClock clock_{/*auto_advance=*/false};
  testing::FakeDispatcher dispatcher_;
  testing::RecordingObserver observer_;
  Runner runner_{clock_, dispatcher_, observer_};
  RecordingHooks hooks_;
  testing::Latch reached_;
};

class EveryPhase : public EndingTest,
                   public ::testing::WithParamInterface<std::tuple<Where, How>> {};

TEST_P(EveryPhase, EndsTheRunThereUndoesAndKeepsTheJournal) {
  auto [where, how] = GetParam();
  switch (where) {
    case Where::kBefore:
      BlockOn("hyp", 1);
      break;
    case Where::kMethod:
      BlockOn("act", 1);
      break;
    case Where::kAfter:
      BlockOn("hyp", 2);
      break;
    case Where::kRollbacks:
      BlockOn("rb", 1);
      break;
  }
  RunOptions options;
  options.deadline_seconds = 30;
  auto run = Start(kDoc, options);
  reached_.Wait();
  if (how == How::kDeadline) {
    clock_.Advance(std::chrono::seconds(31));
  } else {
    runner_.Interrupt(InterruptKind::kSighup, "SIGHUP received");
  }
  RunResult r = run.get();
  EXPECT_EQ(r.status, RunStatus::kInterrupted) << r.journal.dump(2);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(hooks_.undo_calls.load(), 1);
  std::string why = r.journal.value("interruption", "");
  EXPECT_NE(why.find(how == How::kDeadline ? "deadline of 30 s" : "SIGHUP"), std::string::npos)
      << why;
  EXPECT_NE(hooks_.last_reason.find("interrupted"), std::string::npos) << hooks_.last_reason;
  EXPECT_EQ(r.journal["status"], "interrupted");
  // The fault's undo record is in the journal, after the experiment's own rollbacks.
  ASSERT_FALSE(r.journal["rollbacks"].empty());
  EXPECT_EQ(r.journal["rollbacks"].back()["activity"]["name"], "undo f");
  if (where == Where::kAfter) {
    EXPECT_EQ(dispatcher_.count("hyp"), 2);
  }
  if (where == Where::kBefore) {
    EXPECT_EQ(dispatcher_.count("act"), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(, EveryPhase,
                         ::testing::Combine(::testing::Values(Where::kBefore, Where::kMethod,
                                                              Where::kAfter, Where::kRollbacks),
                                            ::testing::Values(How::kDeadline, How::kInterrupt)));

TEST_F(EndingTest, AnInterruptDuringTheUndoMakesItHurry) {
  hooks_.block_until_hurried = true;
  auto run = Start(kDoc, {});
  hooks_.undo_started.Wait();
  runner_.Interrupt(InterruptKind::kSigterm, "SIGTERM signal received");
  RunResult r = run.get();
  EXPECT_TRUE(hooks_.hurried.load());
  EXPECT_EQ(hooks_.last_reason, "end of run");
  EXPECT_EQ(r.journal["status"], "interrupted");
}

TEST_F(EndingTest, TheDeadlinePassingDuringTheUndoMakesItHurry) {
  hooks_.block_until_hurried = true;
  RunOptions options;
  options.deadline_seconds = 5;
  auto run = Start(kDoc, options);
  hooks_.undo_started.Wait();
  clock_.Advance(std::chrono::seconds(6));
  RunResult r = run.get();
  EXPECT_TRUE(hooks_.hurried.load());
  EXPECT_NE(r.journal.value("interruption", "").find("deadline"), std::string::npos);
}

TEST_F(EndingTest, ARefusedFaultAbortsTheRunAndStillPlaysRollbacksAndUndo) {
  dispatcher_.Script("act", [](const Json&, const providers::Context&) {
    return providers::Outcome::Refused(
        "process.stop: refused: blast radius: process:init/1 is protected",
        {{"phase", "guard"}, {"rule", "protected"}, {"target", "process:init/1"}});
  });
  const char* doc = R"({"title": "t", "description": "d",
    "steady-state-hypothesis": {"title": "h", "probes": [
      {"type": "probe", "name": "hyp", "tolerance": 0,
       "provider": {"type": "process", "path": "true"}}]},
    "method": [
      {"type": "action", "name": "act", "provider": {"type": "process", "path": "true"}},
      {"type": "action", "name": "next", "provider": {"type": "process", "path": "true"}}],
    "rollbacks": [
      {"type": "action", "name": "rb", "provider": {"type": "process", "path": "true"}},
      {"type": "action", "name": "rb2", "provider": {"type": "process", "path": "true"}}]})";
  RunResult r = Start(doc, {}).get();
  EXPECT_EQ(r.status, RunStatus::kAborted);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.journal["status"], "aborted");
  EXPECT_EQ(dispatcher_.count("next"), 0);
  EXPECT_EQ(dispatcher_.count("hyp"), 1);  // no after-hypothesis
  EXPECT_EQ(dispatcher_.count("rb"), 1);   // rollbacks as for any aborted run, all of them
  EXPECT_EQ(dispatcher_.count("rb2"), 1);
  EXPECT_EQ(hooks_.undo_calls.load(), 1);
  ASSERT_EQ(r.journal["run"].size(), 1u);
  const Json& rec = r.journal["run"][0];
  EXPECT_EQ(rec["status"], "failed");
  EXPECT_EQ(rec["refusal"]["rule"], "protected");
  EXPECT_EQ(rec["refusal"]["target"], "process:init/1");
  EXPECT_NE(r.journal.value("abort", "").find("'act'"), std::string::npos) << r.journal.dump(2);
}

TEST_F(EndingTest, ARefusedBackgroundFaultAbortsTheRun) {
  testing::Latch refused;
  dispatcher_.Script("bg", [&refused](const Json&, const providers::Context&) {
    refused.Release();
    return providers::Outcome::Refused("refused: the kill switch is set", {{"phase", "halt"}});
  });
  dispatcher_.Script("long", [&refused](const Json&, const providers::Context& ctx) {
    refused.Wait();
    while (!ctx.cancel.WaitUntil(std::chrono::steady_clock::now() + std::chrono::hours(1))) {
    }
    return providers::Outcome::Interrupted();
  });
  const char* doc = R"({"title": "t", "description": "d", "method": [
    {"type": "action", "name": "bg", "background": true,
     "provider": {"type": "process", "path": "true"}},
    {"type": "action", "name": "long", "provider": {"type": "process", "path": "true"}}]})";
  RunResult r = Start(doc, {}).get();
  EXPECT_EQ(r.status, RunStatus::kAborted) << r.journal.dump(2);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(hooks_.undo_calls.load(), 1);
}

TEST_F(EndingTest, APlainProcessActionThatFailsKeepsTheReferenceMeaning) {
  dispatcher_.Fails("act", "the command was not found");
  RunResult r = Start(kDoc, {}).get();
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.journal.contains("abort"));
}

TEST_F(EndingTest, AnExceptionInAProviderAbortsButUndoesAndJournals) {
  dispatcher_.Script("act", [](const Json&, const providers::Context&) -> providers::Outcome {
    throw std::runtime_error("provider exploded");
  });
  RunResult r = Start(kDoc, {}).get();
  EXPECT_EQ(r.status, RunStatus::kAborted);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(hooks_.undo_calls.load(), 1);
  ASSERT_EQ(r.journal["run"].size(), 1u);
  EXPECT_EQ(r.journal["run"][0]["status"], "failed");
  EXPECT_NE(r.journal["run"][0]["exception"][0].get<std::string>().find("internal error"),
            std::string::npos);
  EXPECT_TRUE(r.journal.contains("end"));
}

TEST_F(EndingTest, AnExceptionInABackgroundThreadAbortsButUndoesAndJournals) {
  dispatcher_.Script("bg", [](const Json&, const providers::Context&) -> providers::Outcome {
    throw std::logic_error("background exploded");
  });
  const char* doc = R"({"title": "t", "description": "d", "method": [
    {"type": "action", "name": "bg", "background": true,
     "provider": {"type": "process", "path": "true"}}]})";
  RunResult r = Start(doc, {}).get();
  EXPECT_EQ(r.status, RunStatus::kAborted);
  EXPECT_EQ(hooks_.undo_calls.load(), 1);
  EXPECT_EQ(r.journal["run"][0]["status"], "failed");
}

TEST_F(EndingTest, AnExceptionInTheUndoStillGivesAJournal) {
  hooks_.throw_in_undo = true;
  RunResult r = Start(kDoc, {}).get();
  EXPECT_TRUE(r.journal.is_object());
  EXPECT_TRUE(r.journal.contains("status"));
  EXPECT_EQ(hooks_.undo_calls.load(), 1);
}

}  // namespace
}  // namespace chaosrun::engine
