// A driver fault that is not injected is a refusal (Outcome kRefused), not a failed activity:
// the kill switch, prepare, the blast radius (with the rule and the target), the ledger, and a
// failed apply (whose undo still runs). An interrupted prepare stays interrupted.
#include "faults/recover.h"
#include "stubborn_fixture.h"

namespace chaosrun::faults {
namespace {

using Kind = providers::Outcome::Kind;

TEST_F(StubbornTest, AnActionWhoseDriverOrFuncIsMissingIsARefusalAProbeAFailure) {
  auto fm = Make();
  Json missing_driver = {{"type", "driver"}, {"driver", "nosuch"}, {"func", "fault"}};
  auto out = fm->Run(kStubbornActivity, missing_driver, CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused) << out.error;
  EXPECT_EQ(out.refusal["phase"], "driver");
  EXPECT_NE(out.error.find("no driver named 'nosuch'"), std::string::npos) << out.error;
  auto missing_func = fm->Run(kStubbornActivity, Provider({}, "nosuch"), CancelToken());
  ASSERT_EQ(missing_func.kind, Kind::kRefused) << missing_func.error;
  Json probe = {{"type", "probe"}, {"name", "p"}};
  EXPECT_EQ(fm->Run(probe, missing_driver, CancelToken()).kind, Kind::kFailed);
  EXPECT_EQ(fm->applied_count(), 0u);
}

TEST_F(StubbornTest, TheKillSwitchIsARefusal) {
  std::filesystem::create_directories(state_);
  std::ofstream(HaltFilePath(state_)) << "test";
  auto fm = Make();
  auto out = fm->Run(kStubbornActivity, Provider(Json::object()), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["phase"], "halt");
  EXPECT_NE(out.refusal["reason"].get<std::string>().find("kill switch"), std::string::npos);
}

TEST_F(StubbornTest, APrepareThatFailsOrComputesNoUndoIsARefusal) {
  auto fm = Make();
  auto out = fm->Run(kStubbornActivity, Provider({{"prepare", "fail"}}), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["phase"], "prepare");
  EXPECT_NE(out.error.find("prepare failed on purpose"), std::string::npos);
  out = fm->Run(kStubbornActivity, Provider({{"prepare", "no_undo"}}), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["phase"], "prepare");
  EXPECT_EQ(out.refusal["reason"], "the driver computed no undo");
  EXPECT_FALSE(std::filesystem::exists(state_ + "/ledger.jsonl"));
}

TEST_F(StubbornTest, TheBlastRadiusNamesTheRuleAndTheTarget) {
  auto deny = guard::ParsePolicy(Json{{"deny", {"test:stubborn/2"}}}, "the experiment");
  auto per_action = guard::ParsePolicy(Json{{"max-targets-per-action", 1}}, "policy.json");
  auto duration = guard::ParsePolicy(Json{{"max-duration", 10}}, "policy.json");
  ASSERT_TRUE(deny && per_action && duration);
  Json two = {{"targets", {"test:stubborn/1", "test:stubborn/2"}}};

  auto out = Make({*deny})->Run(kStubbornActivity, Provider(two), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["phase"], "guard");
  EXPECT_EQ(out.refusal["rule"], "deny");
  EXPECT_EQ(out.refusal["target"], "test:stubborn/2");
  EXPECT_EQ(out.refusal["layer"], "the experiment");

  out = Make({*per_action})->Run(kStubbornActivity, Provider(two), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["rule"], "max-targets-per-action");
  EXPECT_EQ(out.refusal["target"], "test:stubborn/2");  // the first one past the limit

  out = Make({*duration})->Run(kStubbornActivity, Provider(two, "fault", 60), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["rule"], "max-duration");
  EXPECT_EQ(out.refusal["target"], "test:stubborn/1, test:stubborn/2");

  out = Make()->Run(kStubbornActivity, Provider({{"targets", Json::array()}}), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["rule"], "no-target");
  EXPECT_FALSE(std::filesystem::exists(state_ + "/ledger.jsonl"));
}

TEST_F(StubbornTest, ALedgerThatCannotBeWrittenIsARefusal) {
  std::ofstream(state_) << "a file where the state directory should be";
  auto fm = Make();
  auto out = fm->Run(kStubbornActivity, Provider(Json::object()), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["phase"], "ledger");
  EXPECT_EQ(fm->applied_count(), 0u);
}

TEST_F(StubbornTest, AFailedApplyIsARefusalAndItsUndoStillRuns) {
  auto fm = Make();
  std::string calls = (dir_.path() / "undo-calls").string();
  auto out =
      fm->Run(kStubbornActivity, Provider({{"apply", "fail"}, {"log", calls}}), CancelToken());
  ASSERT_EQ(out.kind, Kind::kRefused);
  EXPECT_EQ(out.refusal["phase"], "apply");
  EXPECT_FALSE(out.refusal["fault"].get<std::string>().empty());
  EXPECT_NE(out.error.find("apply failed on purpose"), std::string::npos);
  EXPECT_EQ(fm->applied_count(), 1u);  // it may exist: it is undone like any other
  Json undo = fm->UndoAll("end of run");
  ASSERT_EQ(undo.size(), 1u);
  EXPECT_EQ(undo[0]["status"], "succeeded");
  EXPECT_EQ(Lines(calls), 1);
  auto pending = PendingFaults(state_);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, 0u);
}

TEST_F(StubbornTest, APrepareWaitingForABusyDriverIsInterruptedNotRefused) {
  auto fm = Make();
  std::string d = MarkerDir("busy");
  ASSERT_EQ(fm->Run(kStubbornActivity, Provider({{"undo", "block"}, {"dir", d}}, "fault", 1),
                    CancelToken())
                .kind,
            Kind::kSucceeded);
  clock_.Advance(std::chrono::seconds(1));  // the watchdog's undo now holds the driver
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "started"); }));
  CancelSource interrupt;
  interrupt.Cancel("SIGINT");
  auto out = fm->Run(kStubbornActivity, Provider(Json::object()), interrupt.token());
  EXPECT_EQ(out.kind, Kind::kInterrupted) << out.error;
  ASSERT_TRUE(ReleaseBlocked(d));
  ASSERT_TRUE(WaitFor([&] { return fm->applied_count() == 0; }));
}

}  // namespace
}  // namespace chaosrun::faults
