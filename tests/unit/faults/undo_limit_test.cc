// Every undo has a time limit: a hanging undo is abandoned (its fault stays in the ledger and the
// summary says so), the limit comes from the descriptor and the policy, and an interrupt during
// the undo phase (`hurry`) cuts undos short. Time is the fake clock's; the hanging undo is the
// stubborn driver's "block" mode, released by the test.
#include <future>

#include "faults/bounded_undo.h"
#include "ledger/ledger.h"
#include "stubborn_fixture.h"

namespace chaosrun::faults {
namespace {

using Kind = providers::Outcome::Kind;

// UndoAll on another thread (it blocks until the fake clock moves).
std::future<Json> UndoAllAsync(FaultManager& fm, const std::string& reason,
                               CancelToken hurry = CancelToken()) {
  return std::async(std::launch::async, [&fm, reason, hurry] { return fm.UndoAll(reason, hurry); });
}

bool Ready(std::future<Json>& f) {
  return WaitFor([&] { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
}

std::string Exception(const Json& record) {
  return record.contains("exception") ? record["exception"][0].get<std::string>() : "";
}

TEST(UndoLimit, DescriptorThenPolicyThenDefaultAndThePolicyCaps) {
  auto d = plugin::ParseDescriptor(R"({"name": "d", "version": "1", "undo_timeout": 20,
      "actions": [{"name": "quick", "undo_timeout": 2}, {"name": "slow"}]})");
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(UndoLimitSeconds(*d, "quick", std::nullopt), 2);
  EXPECT_EQ(UndoLimitSeconds(*d, "slow", std::nullopt), 20);  // the driver's own
  EXPECT_EQ(UndoLimitSeconds(*d, "slow", 5), 5);              // the policy caps it
  EXPECT_EQ(UndoLimitSeconds(*d, "quick", 60), 2);            // a cap is not a floor
  auto plain =
      plugin::ParseDescriptor(R"({"name": "p", "version": "1", "actions": [{"name": "a"}]})");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(UndoLimitSeconds(*plain, "a", std::nullopt), kDefaultUndoTimeoutSeconds);
  EXPECT_EQ(UndoLimitSeconds(*plain, "a", 120),
            120);  // the policy sets it when the driver does not
}

TEST(UndoLimit, ABadDescriptorTimeoutNamesTheField) {
  auto d = plugin::ParseDescriptor(
      R"({"name": "d", "version": "1", "actions": [{"name": "a", "undo_timeout": "soon"}]})");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().message(), "actions[0].undo_timeout must be a positive number of seconds");
  d = plugin::ParseDescriptor(R"({"name": "d", "version": "1", "undo_timeout": 0})");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().message(), "undo_timeout must be a positive number of seconds");
}

TEST(UndoLimit, PolicyKeyIsChecked) {
  auto p = guard::ParsePolicy(Json{{"undo-timeout", 7}}, "policy");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->undo_timeout, 7);
  auto bad = guard::ParsePolicy(Json{{"undo-timeout", -1}}, "policy");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("/undo-timeout: undo-timeout must be a positive number"),
            std::string::npos);
}

TEST_F(StubbornTest, AHangingUndoIsAbandonedAtItsLimitAndItsFaultStaysInTheLedger) {
  auto fm = Make();
  std::string d = MarkerDir("hang");
  // "quick" declares undo_timeout 2 in the descriptor.
  auto out =
      fm->Run(kStubbornActivity, Provider({{"undo", "block"}, {"dir", d}}, "quick"), CancelToken());
  ASSERT_EQ(out.kind, Kind::kSucceeded) << out.error;
  auto undo = UndoAllAsync(*fm, "end of run");
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "started"); }));
  clock_.Advance(std::chrono::milliseconds(2999));  // the limit (2 s) and not quite the grace
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "cancelled"); }));  // the driver was asked to stop
  EXPECT_NE(undo.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  clock_.Advance(std::chrono::milliseconds(1));  // the grace is over: the call is abandoned
  ASSERT_TRUE(Ready(undo)) << "the undo was not abandoned";
  Json records = undo.get();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["status"], "failed");
  EXPECT_NE(Exception(records[0]).find("undo did not finish within 2 s; abandoned"),
            std::string::npos)
      << records[0].dump();
  // The fault is still pending in the ledger, with the reason, and the summary names it.
  auto l = ledger::Ledger::Open(state_);
  ASSERT_TRUE(l.has_value());
  auto pending = (*l)->Pending();
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].last_error, "undo did not finish within 2 s; abandoned");
  Json summary = fm->Summary();
  EXPECT_EQ(summary[0]["undone"], false);
  EXPECT_EQ(summary[0]["undo_abandoned"], true);
  EXPECT_EQ(summary[0]["undo_error"], "undo did not finish within 2 s; abandoned");
  EXPECT_EQ(fm->applied_count(), 1u);

  // While the abandoned call has not returned, a later call on the driver does not wait for it
  // forever: it fails as "stuck" (here a new fault, refused at prepare: the run would abort).
  auto next = fm->Run(kStubbornActivity, Provider({{"dir", d}}, "quick"), CancelToken());
  EXPECT_EQ(next.kind, Kind::kRefused) << next.error;
  EXPECT_NE(next.error.find("is stuck"), std::string::npos) << next.error;
  EXPECT_EQ(fm->applied_count(), 1u);

  // The abandoned call returns later: the next UndoAll takes its success instead of calling again.
  ASSERT_TRUE(ReleaseBlocked(d));
  ASSERT_TRUE(WaitFor([&] { return !fm->Summary()[0].contains("undo_abandoned"); }));
  Json again = fm->UndoAll("end of run");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["status"], "succeeded");
  EXPECT_EQ(fm->applied_count(), 0u);
}

TEST_F(StubbornTest, ThePolicyUndoTimeoutCapsTheDriversLimit) {
  auto p = guard::ParsePolicy(Json{{"undo-timeout", 0.5}}, "policy");
  ASSERT_TRUE(p.has_value());
  auto fm = Make({*p});
  std::string d = MarkerDir("capped");
  // "fault" inherits the driver's undo_timeout (20 s); the policy allows 0.5 s.
  ASSERT_EQ(
      fm->Run(kStubbornActivity, Provider({{"undo", "block"}, {"dir", d}}), CancelToken()).kind,
      Kind::kSucceeded);
  auto undo = UndoAllAsync(*fm, "end of run");
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "started"); }));
  clock_.Advance(std::chrono::milliseconds(1500));  // 0.5 s + the 1 s grace
  ASSERT_TRUE(Ready(undo));
  Json records = undo.get();
  EXPECT_NE(Exception(records[0]).find("within 0.5 s"), std::string::npos) << records[0].dump();
  ASSERT_TRUE(ReleaseBlocked(d));
}

TEST_F(StubbornTest, HurryCutsTheUndoInFlightShort) {
  auto fm = Make();
  std::string d = MarkerDir("inflight");
  ASSERT_EQ(
      fm->Run(kStubbornActivity, Provider({{"undo", "block"}, {"dir", d}}), CancelToken()).kind,
      Kind::kSucceeded);
  CancelSource hurry;
  auto undo = UndoAllAsync(*fm, "interrupted", hurry.token());
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "started"); }));
  hurry.Cancel("second signal");
  // The driver's token is cancelled at once (its 20 s limit is far away)...
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "cancelled"); }));
  clock_.Advance(std::chrono::seconds(1));  // ...and the call abandoned after the grace.
  ASSERT_TRUE(Ready(undo));
  Json records = undo.get();
  EXPECT_NE(Exception(records[0]).find("within 1 s of the interrupt (second signal); abandoned"),
            std::string::npos)
      << records[0].dump();
  EXPECT_EQ(fm->applied_count(), 1u);
  ASSERT_TRUE(ReleaseBlocked(d));
}

TEST_F(StubbornTest, HurryReachesAWatchdogUndoInFlightThatTheFinalUndoWaitsFor) {
  auto fm = Make();
  std::string d = MarkerDir("watchdog-inflight");
  ASSERT_EQ(fm->Run(kStubbornActivity, Provider({{"undo", "block"}, {"dir", d}}, "fault", 5.0),
                    CancelToken())
                .kind,
            Kind::kSucceeded);
  clock_.Advance(std::chrono::seconds(5));  // the watchdog's deadline: its undo starts and hangs
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "started"); }));
  CancelSource hurry;
  auto undo = UndoAllAsync(*fm, "interrupted", hurry.token());  // waits for the watchdog turn
  hurry.Cancel("second signal");
  // The watchdog's undo in flight is told to stop at once (its 20 s limit is far away)...
  ASSERT_TRUE(WaitFor([&] { return Marked(d, "cancelled"); }));
  clock_.Advance(std::chrono::seconds(1));  // ...abandoned after the grace, and UndoAll goes on
  clock_.Advance(std::chrono::seconds(1));  // (its own attempt: only the grace, then abandoned)
  ASSERT_TRUE(Ready(undo));
  EXPECT_EQ(fm->applied_count(), 1u);
  ASSERT_TRUE(ReleaseBlocked(d));
}

TEST_F(StubbornTest, AfterHurryEveryUndoIsStillTriedButOnlyForTheGrace) {
  auto fm = Make();
  std::string older = MarkerDir("older");
  std::string newer = MarkerDir("newer");
  ASSERT_EQ(fm->Run(kStubbornActivity, Provider({{"log", older + "/log"}}), CancelToken()).kind,
            Kind::kSucceeded);
  ASSERT_EQ(
      fm->Run(kStubbornActivity, Provider({{"undo", "block"}, {"dir", newer}}), CancelToken()).kind,
      Kind::kSucceeded);
  CancelSource hurry;
  hurry.Cancel("deadline");
  auto undo = UndoAllAsync(*fm, "interrupted", hurry.token());
  // The newest first: it gets the grace (1 s) as its limit, then the grace after cancelling.
  ASSERT_TRUE(WaitFor([&] { return Marked(newer, "started"); }));
  clock_.Advance(std::chrono::seconds(2));
  // The older one is still attempted; the driver is busy with the abandoned call, so it too
  // ends at its grace. Once the newer is abandoned, the watchdog and the older's undo sleep on
  // the clock.
  ASSERT_TRUE(WaitFor([&] { return fm->Summary()[1].value("undo_abandoned", false); }));
  ASSERT_TRUE(WaitFor([&] { return clock_.sleepers() >= 2; }));
  clock_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(Ready(undo));
  Json records = undo.get();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["status"], "failed");
  EXPECT_EQ(records[1]["status"], "failed");
  EXPECT_EQ(fm->applied_count(), 2u);
  // Once the driver is free again, the end of the run undoes both.
  ASSERT_TRUE(ReleaseBlocked(newer));
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& f : fm->Summary()) {
      if (f.contains("undo_abandoned")) return false;
    }
    return true;
  }));
  Json again = fm->UndoAll("end of run");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0]["status"], "succeeded");
  EXPECT_EQ(again[1]["status"], "succeeded");
  EXPECT_EQ(fm->applied_count(), 0u);
}

}  // namespace
}  // namespace chaosrun::faults
