// Engine flows that involve time, threads and interruption — all deterministic: a fake clock,
// latches and observer hooks; nothing sleeps.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "common/redact.h"
#include "engine_fixture.h"
#include "journal/journal.h"
#include "support/latch.h"
#include "support/temp_dir.h"

namespace chaosrun::engine {
namespace {

using ::testing::ElementsAre;

const char* kWithHypothesis = R"({
  "title": "t", "description": "d",
  "steady-state-hypothesis": {"title": "h", "probes": [
    {"type": "probe", "name": "p", "tolerance": 0, "provider": {"type": "process", "path": "x"}}]},
  "method": [
    {"type": "action", "name": "slow", "provider": {"type": "process", "path": "x"}},
    {"type": "action", "name": "next", "provider": {"type": "process", "path": "x"}}],
  "rollbacks": [{"type": "action", "name": "rb", "provider": {"type": "process", "path": "x"}}]
})";

TEST_F(EngineTest, PausesUseTheInjectedClock) {
  auto r = RunDoc(R"({"title": "t", "description": "d", "method": [
    {"type": "action", "name": "a", "pauses": {"before": 1, "after": 0.5},
     "provider": {"type": "process", "path": "x"}}]})");
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(clock_.slept(), SecondsToDuration(1.5));
  // Pauses are not part of the activity's duration.
  EXPECT_DOUBLE_EQ(r.journal["run"][0]["duration"].get<double>(), 0.0);
}

TEST_F(EngineTest, PauseFromConfigurationVariable) {
  auto r = RunDoc(R"({"title": "t", "description": "d", "configuration": {"wait": 2},
    "method": [{"type": "action", "name": "a", "pauses": {"after": "${wait}"},
     "provider": {"type": "process", "path": "x"}}]})");
  EXPECT_EQ(clock_.slept(), SecondsToDuration(2));
}

TEST_F(EngineTest, DryPauseSkipsPausesButRuns) {
  RunOptions o;
  o.dry = DryMode::kPause;
  auto r = RunDoc(R"({"title": "t", "description": "d", "method": [
    {"type": "action", "name": "a", "pauses": {"before": 10},
     "provider": {"type": "process", "path": "x"}}]})",
                  o);
  EXPECT_EQ(clock_.slept(), Clock::Duration::zero());
  EXPECT_EQ(dispatcher_.count("a"), 1);
  EXPECT_EQ(r.journal["experiment"]["dry"], "pause");
}

TEST_F(EngineTest, DryActionsSkipsActionsIncludingRollbacks) {
  RunOptions o;
  o.dry = DryMode::kActions;
  auto r = RunDoc(kWithHypothesis, o);
  EXPECT_THAT(dispatcher_.calls(), ElementsAre("p", "p"));
  EXPECT_EQ(r.journal["run"][0]["status"], "succeeded");
  EXPECT_EQ(r.journal["run"][0]["output"], nullptr);
  EXPECT_EQ(r.journal["rollbacks"].size(), 1u);
}

TEST_F(EngineTest, DryProbesSkipsProbesAndToleranceIsMet) {
  dispatcher_.Returns("p", Json{{"status", 9}});  // would not meet the tolerance if it ran
  RunOptions o;
  o.dry = DryMode::kProbes;
  auto r = RunDoc(kWithHypothesis, o);
  EXPECT_EQ(dispatcher_.count("p"), 0);
  EXPECT_EQ(dispatcher_.count("slow"), 1);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(r.journal["steady_states"]["before"]["probes"][0]["tolerance_met"], true);
}

TEST_F(EngineTest, DryActivitiesRunsNothing) {
  RunOptions o;
  o.dry = DryMode::kActivities;
  auto r = RunDoc(kWithHypothesis, o);
  EXPECT_TRUE(dispatcher_.calls().empty());
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(EngineTest, SigtermDuringMethodInterruptsAndSkipsAfterHypothesis) {
  dispatcher_.BlocksUntilCancelled(
      "slow", [this] { runner_.Interrupt(InterruptKind::kSigterm, "SIGTERM signal received"); });
  auto r = RunDoc(kWithHypothesis);
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.journal["run"].size(), 1u);
  EXPECT_FALSE(r.journal["run"][0].contains("status"));  // cut short: no status, as reference
  EXPECT_TRUE(r.journal["run"][0].contains("end"));
  EXPECT_EQ(dispatcher_.count("next"), 0);
  EXPECT_EQ(r.journal["steady_states"]["after"], nullptr);
  EXPECT_EQ(dispatcher_.count("rb"), 0);  // default strategy: no rollbacks when interrupted
}

TEST_F(EngineTest, InterruptWithAlwaysStillPlaysRollbacks) {
  dispatcher_.BlocksUntilCancelled("slow",
                                   [this] { runner_.Interrupt(InterruptKind::kSigint, "SIGINT"); });
  RunOptions o;
  o.rollback_strategy = RollbackStrategy::kAlways;
  auto r = RunDoc(kWithHypothesis, o);
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(dispatcher_.count("rb"), 1);
  EXPECT_EQ(r.journal["rollbacks"][0]["status"], "succeeded");
}

TEST_F(EngineTest, Sigusr2SkipsRollbacksEvenWithAlways) {
  dispatcher_.BlocksUntilCancelled(
      "slow", [this] { runner_.Interrupt(InterruptKind::kSigusr2, "SIGUSR2"); });
  RunOptions o;
  o.rollback_strategy = RollbackStrategy::kAlways;
  auto r = RunDoc(kWithHypothesis, o);
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(dispatcher_.count("rb"), 0);
}

TEST_F(EngineTest, InterruptDuringRollbacksSkipsTheRest) {
  dispatcher_.BlocksUntilCancelled(
      "rb", [this] { runner_.Interrupt(InterruptKind::kSigterm, "SIGTERM"); });
  auto r = RunDoc(R"({"title": "t", "description": "d", "method": [],
    "rollbacks": [{"type": "action", "name": "rb", "provider": {"type": "process", "path": "x"}},
                  {"type": "action", "name": "rb2", "provider": {"type": "process", "path": "x"}}]})");
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(dispatcher_.count("rb2"), 0);
}

TEST_F(EngineTest, BackgroundActivitiesRunConcurrentlyInStartOrder) {
  testing::Latch a_started, b_started;
  dispatcher_.Script("a", [&](const Json&, const providers::Context&) {
    a_started.Release();
    b_started.Wait();  // only returns if b runs at the same time
    return providers::Outcome::Succeeded(1);
  });
  dispatcher_.Script("b", [&](const Json&, const providers::Context&) {
    b_started.Release();
    a_started.Wait();
    return providers::Outcome::Succeeded(2);
  });
  auto r = RunDoc(R"({"title": "t", "description": "d", "method": [
    {"type": "action", "name": "a", "background": true, "provider": {"type": "process", "path": "x"}},
    {"type": "action", "name": "b", "background": true, "provider": {"type": "process", "path": "x"}}]})");
  ASSERT_EQ(r.journal["run"].size(), 2u);
  EXPECT_EQ(r.journal["run"][0]["activity"]["name"], "a");
  EXPECT_EQ(r.journal["run"][0]["output"], 1);
  EXPECT_EQ(r.journal["run"][1]["output"], 2);
}

TEST_F(EngineTest, ContinuousFailFastStopsTheMethodAfterTheCurrentActivity) {
  testing::FakeClock manual(/*auto_advance=*/false);
  testing::Latch deviated;
  Runner runner(manual, dispatcher_, observer_);
  dispatcher_.Returns("p", Json{{"status", 1}});  // every hypothesis iteration deviates
  observer_.on_hypothesis = [&](Phase p, const Json&) {
    if (p == Phase::kHypothesisDuring) deviated.Release();
  };
  dispatcher_.Script("slow", [&](const Json&, const providers::Context&) {
    deviated.Wait();  // the deviation happens strictly inside this activity
    return providers::Outcome::Succeeded(nullptr);
  });
  RunOptions o;
  o.hypothesis_strategy = HypothesisStrategy::kDuringMethodOnly;
  o.fail_fast = true;
  auto r = runner.Run(Json::parse(kWithHypothesis), o);
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.deviated);  // only the after-hypothesis sets deviated
  EXPECT_EQ(dispatcher_.count("next"), 0);
  EXPECT_GE(r.journal["steady_states"]["during"].size(), 1u);
  EXPECT_EQ(r.journal["steady_states"]["before"], nullptr);
  EXPECT_EQ(dispatcher_.count("rb"), 0);  // failed: default strategy plays no rollbacks
}

TEST_F(EngineTest, ContinuousWithoutFailFastOnlyRecordsDeviations) {
  testing::FakeClock manual(/*auto_advance=*/false);
  testing::Latch deviated;
  Runner runner(manual, dispatcher_, observer_);
  int n = 0;
  dispatcher_.Script("p", [&](const Json&, const providers::Context&) {
    // Met before and after the method, deviated during it.
    return providers::Outcome::Succeeded(Json{{"status", ++n == 2 ? 1 : 0}});
  });
  observer_.on_hypothesis = [&](Phase p, const Json&) {
    if (p == Phase::kHypothesisDuring) deviated.Release();
  };
  dispatcher_.Script("slow", [&](const Json&, const providers::Context&) {
    deviated.Wait();
    return providers::Outcome::Succeeded(nullptr);
  });
  RunOptions o;
  o.hypothesis_strategy = HypothesisStrategy::kContinuously;
  auto r = runner.Run(Json::parse(kWithHypothesis), o);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_FALSE(r.deviated);
  EXPECT_EQ(dispatcher_.count("next"), 1);
  EXPECT_EQ(r.journal["steady_states"]["during"][0]["steady_state_met"], false);
  EXPECT_EQ(r.journal["steady_states"]["after"]["steady_state_met"], true);
}

TEST_F(EngineTest, ContinuouslyFailFastStaysFailedAfterTheAfterHypothesis) {  // D2
  testing::FakeClock manual(/*auto_advance=*/false);
  testing::Latch deviated;
  Runner runner(manual, dispatcher_, observer_);
  int n = 0;
  dispatcher_.Script("p", [&](const Json&, const providers::Context&) {
    return providers::Outcome::Succeeded(Json{{"status", ++n == 2 ? 1 : 0}});
  });
  observer_.on_hypothesis = [&](Phase p, const Json&) {
    if (p == Phase::kHypothesisDuring) deviated.Release();
  };
  dispatcher_.Script("slow", [&](const Json&, const providers::Context&) {
    deviated.Wait();
    return providers::Outcome::Succeeded(nullptr);
  });
  RunOptions o;
  o.hypothesis_strategy = HypothesisStrategy::kContinuously;
  o.fail_fast = true;
  auto r = runner.Run(Json::parse(kWithHypothesis), o);
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(r.journal["steady_states"]["after"]["steady_state_met"], true);
}

TEST_F(EngineTest, SubstitutesProviderArgumentsAndTitleButJournalKeepsRawActivity) {
  auto r = RunDoc(R"({"title": "hello ${who}", "description": "d",
    "configuration": {"who": "world", "n": 3},
    "method": [{"type": "action", "name": "a",
      "provider": {"type": "process", "path": "echo", "arguments": ["${who}", "${n}", "$$x"]}}]})");
  EXPECT_EQ(r.journal["experiment"]["title"], "hello world");
  EXPECT_EQ(dispatcher_.provider(0)["arguments"], Json::parse(R"(["world", 3, "$x"])"));
  EXPECT_EQ(r.journal["run"][0]["activity"]["provider"]["arguments"][0], "${who}");
}

TEST_F(EngineTest, SecretsNeverReachTheJournal) {  // D6
  dispatcher_.Script("leak", [](const Json& provider, const providers::Context&) {
    return providers::Outcome::Succeeded(
        Json{{"status", 0}, {"stdout", "token is " + provider["arguments"][0].get<std::string>()}});
  });
  auto r = RunDoc(R"({"title": "t", "description": "d",
    "secrets": {"api": {"token": "s3cr3t-value-42"}},
    "method": [{"type": "action", "name": "leak",
      "provider": {"type": "process", "path": "echo", "arguments": ["${token}"]}}]})");
  testing::TempDir dir;
  std::string path = (dir.path() / "journal.json").string();
  ASSERT_TRUE(journal::WriteJournal(path, r.journal).ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("s3cr3t-value-42"), std::string::npos);
  EXPECT_NE(text.find("token is ***"), std::string::npos);
  Redactor::Global().Clear();
}

TEST_F(EngineTest, DynamicConfigurationFromAProcessProbe) {
  dispatcher_.Returns("discover", Json{{"status", 0}, {"stdout", "  10.0.0.7\n"}, {"stderr", ""}});
  auto r = RunDoc(R"({"title": "t", "description": "d",
    "configuration": {"host": {"type": "probe", "name": "discover",
                               "provider": {"type": "process", "path": "x"}}},
    "method": [{"type": "action", "name": "a",
      "provider": {"type": "process", "path": "echo", "arguments": ["${host}"]}}]})");
  EXPECT_EQ(dispatcher_.provider(1)["arguments"][0], "10.0.0.7");
}

TEST_F(EngineTest, ConfigurationErrorStillProducesAJournal) {
  auto r = RunDoc(R"({"title": "t", "description": "d",
    "configuration": {"k": {"type": "env", "key": "CHAOSRUN_SURELY_UNSET"}}, "method": []})");
  EXPECT_EQ(r.status, RunStatus::kAborted);
  EXPECT_EQ(r.journal["status"], "aborted");
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace chaosrun::engine
