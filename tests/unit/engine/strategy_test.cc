#include "engine/strategy.h"

#include <gtest/gtest.h>

namespace chaosrun::engine {
namespace {

TEST(Strategy, ParsesReferenceSpellings) {
  EXPECT_EQ(ParseHypothesisStrategy("continously"), HypothesisStrategy::kContinuously);
  EXPECT_EQ(ParseHypothesisStrategy("during-method-only"), HypothesisStrategy::kDuringMethodOnly);
  EXPECT_FALSE(ParseHypothesisStrategy("sometimes"));
  EXPECT_EQ(ParseRollbackStrategy("deviated"), RollbackStrategy::kDeviated);
  EXPECT_FALSE(ParseRollbackStrategy(""));
  EXPECT_EQ(ParseDryMode("pause"), DryMode::kPause);
  EXPECT_FALSE(ParseDryMode("true"));
}

TEST(Strategy, RuntimeBlockThenCommandLine) {
  Json doc = Json::parse(R"({"runtime": {"rollbacks": {"strategy": "always"}}})");
  auto s = ResolveStrategies(doc, std::nullopt, std::nullopt);
  EXPECT_EQ(s.rollback, RollbackStrategy::kAlways);
  EXPECT_EQ(s.hypothesis, HypothesisStrategy::kDefault);
  s = ResolveStrategies(doc, HypothesisStrategy::kContinuously, RollbackStrategy::kNever);
  EXPECT_EQ(s.rollback, RollbackStrategy::kNever);
  EXPECT_EQ(s.hypothesis, HypothesisStrategy::kContinuously);
}

TEST(Strategy, WhichPhasesRun) {
  EXPECT_TRUE(RunsBefore(HypothesisStrategy::kDefault));
  EXPECT_TRUE(RunsAfter(HypothesisStrategy::kDefault));
  EXPECT_FALSE(RunsDuring(HypothesisStrategy::kDefault));
  EXPECT_FALSE(RunsBefore(HypothesisStrategy::kDuringMethodOnly));
  EXPECT_FALSE(RunsAfter(HypothesisStrategy::kDuringMethodOnly));
  EXPECT_TRUE(RunsBefore(HypothesisStrategy::kContinuously));
  EXPECT_TRUE(RunsDuring(HypothesisStrategy::kContinuously));
  EXPECT_TRUE(RunsAfter(HypothesisStrategy::kContinuously));
  EXPECT_FALSE(RunsAfter(HypothesisStrategy::kBeforeMethodOnly));
  EXPECT_FALSE(RunsBefore(HypothesisStrategy::kAfterMethodOnly));
}

struct RollbackCase {
  RollbackStrategy strategy;
  RunStatus status;
  bool deviated;
  bool harsh;
  bool played;
};

class RollbackTable : public ::testing::TestWithParam<RollbackCase> {};

TEST_P(RollbackTable, MatchesTheReference) {
  const auto& c = GetParam();
  EXPECT_EQ(ShouldPlayRollbacks(c.strategy, c.status, c.deviated, c.harsh), c.played);
}

INSTANTIATE_TEST_SUITE_P(
    All, RollbackTable,
    ::testing::Values(
        RollbackCase{RollbackStrategy::kDefault, RunStatus::kCompleted, false, false, true},
        RollbackCase{RollbackStrategy::kDefault, RunStatus::kCompleted, true, false, true},
        RollbackCase{RollbackStrategy::kDefault, RunStatus::kAborted, false, false, true},
        RollbackCase{RollbackStrategy::kDefault, RunStatus::kFailed, false, false, false},
        RollbackCase{RollbackStrategy::kDefault, RunStatus::kInterrupted, false, false, false},
        RollbackCase{RollbackStrategy::kAlways, RunStatus::kInterrupted, false, false, true},
        RollbackCase{RollbackStrategy::kAlways, RunStatus::kFailed, false, false, true},
        RollbackCase{RollbackStrategy::kAlways, RunStatus::kInterrupted, false, true, false},
        RollbackCase{RollbackStrategy::kNever, RunStatus::kCompleted, true, false, false},
        RollbackCase{RollbackStrategy::kDeviated, RunStatus::kCompleted, false, false, false},
        RollbackCase{RollbackStrategy::kDeviated, RunStatus::kCompleted, true, false, true}));

TEST(Strategy, ExitCodes) {
  EXPECT_EQ(RunExitCode(RunStatus::kCompleted, false), 0);
  EXPECT_EQ(RunExitCode(RunStatus::kCompleted, true), 1);
  EXPECT_EQ(RunExitCode(RunStatus::kFailed, false), 1);
  EXPECT_EQ(RunExitCode(RunStatus::kAborted, false), 1);
  EXPECT_EQ(RunExitCode(RunStatus::kInterrupted, false), 1);
}

TEST(Strategy, DryModes) {
  EXPECT_TRUE(SkipsExecution(DryMode::kProbes, true));
  EXPECT_FALSE(SkipsExecution(DryMode::kProbes, false));
  EXPECT_TRUE(SkipsExecution(DryMode::kActions, false));
  EXPECT_FALSE(SkipsExecution(DryMode::kActions, true));
  EXPECT_TRUE(SkipsExecution(DryMode::kActivities, true));
  EXPECT_FALSE(SkipsExecution(DryMode::kPause, false));
  EXPECT_TRUE(SkipsPauses(DryMode::kPause, false));
  EXPECT_FALSE(SkipsPauses(DryMode::kNone, true));
  EXPECT_TRUE(SkipsTolerance(DryMode::kProbes));
  EXPECT_FALSE(SkipsTolerance(DryMode::kActions));
}

}  // namespace
}  // namespace chaosrun::engine
