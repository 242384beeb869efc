// Sessions that share a state directory and a process, as the daemon runs them: the pending-fault
// check leaves out the faults of the runs named in concurrent_run_ids (and only those), and two
// sessions running at the same time on two threads each undo their own fault and write their own
// journal.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "faults/recover.h"
#include "ledger/ledger.h"
#include "session_fixture.h"

namespace chaosrun::session {
namespace {

class ConcurrentSessionTest : public SessionTest {
 protected:
  // A fault recorded by a live runner (this process) under run id `run`, as a daemon's run in
  // flight leaves it in the shared ledger.
  void RecordFaultOf(const std::string& run) {
    auto l = ledger::Ledger::Open(StateDir());
    ASSERT_TRUE(l.has_value()) << l.error().message();
    Json intent = {{"id", ledger::NewFaultId()},
                   {"run", run},
                   {"driver", "stubborn"},
                   {"driver_path", TestDriverDir() + "/libstubborn_driver.so"},
                   {"func", "fault"},
                   {"activity", "in flight"},
                   {"targets", Json::array({"test:stubborn/in-flight"})},
                   {"undo", {{"log", PathOf("in-flight.undo")}}}};
    ASSERT_TRUE((*l)->RecordIntent(intent).ok());
    ASSERT_TRUE((*l)->RecordApplied(intent["id"]).ok());
  }
  Outcome RunWith(std::vector<std::string> concurrent) {
    RunRequest r = Request(Experiment("after", Json::array({Shell("touch", "touch ran")})));
    r.concurrent_run_ids = std::move(concurrent);
    Session s(std::move(r));
    return s.Run();
  }
};

TEST_F(ConcurrentSessionTest, WithoutConcurrentRunsEveryPendingFaultRefusesTheRun) {
  RecordFaultOf("run-in-flight");
  Outcome out = RunWith({});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.status, "not-run");
  EXPECT_NE(out.error.find("1 fault(s) from an earlier run are not undone"), std::string::npos)
      << out.error;
  EXPECT_NE(out.error.find("chaosrun recover --state-dir " + StateDir()), std::string::npos)
      << out.error;
  EXPECT_FALSE(Exists("ran"));
}

TEST_F(ConcurrentSessionTest, TheFaultsOfConcurrentRunsDoNotCount) {
  RecordFaultOf("run-in-flight");
  Outcome out = RunWith({"run-in-flight"});
  EXPECT_EQ(out.exit_code, 0) << out.error;
  EXPECT_TRUE(Exists("ran"));
  // The other run's fault is still there, untouched: it is that run's to undo.
  EXPECT_FALSE(Exists("in-flight.undo"));
  auto pending = faults::PendingFaults(StateDir());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, 1u);
}

TEST_F(ConcurrentSessionTest, OnlyTheNamedRunsAreLeftOut) {
  RecordFaultOf("run-in-flight");
  RecordFaultOf("run-of-yesterday");
  Outcome out = RunWith({"run-in-flight", "some-other-run"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.error.find("1 fault(s) from an earlier run"), std::string::npos) << out.error;
  EXPECT_FALSE(Exists("ran"));
  auto both = faults::PendingFaults(StateDir(), {});
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(*both, 2u);
  auto one = faults::PendingFaults(StateDir(), {"run-of-yesterday"});
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(*one, 1u);
}

// The daemon's case: two runs in flight at once in one process, sharing the state directory.
// Each applies a fault, then waits in a step until the other has applied its own, so both faults
// are in the ledger at the same time; each names the other through concurrent_run_ids_now.
TEST_F(ConcurrentSessionTest, TwoSessionsAtOnceEachUndoTheirFaultAndWriteTheirJournal) {
  std::mutex mu;
  std::vector<std::string> ids;  // both runs' ids, once both sessions exist
  auto others_of = [&mu, &ids](size_t self) {
    return [&mu, &ids, self] {
      std::lock_guard lock(mu);
      std::vector<std::string> out;
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i != self) out.push_back(ids[i]);
      }
      return out;
    };
  };
  RunRequest ra =
      Request(Experiment("a", Json::array({Fault("a"), Rendezvous("a.met", "b.met")})), "a.json");
  RunRequest rb =
      Request(Experiment("b", Json::array({Fault("b"), Rendezvous("b.met", "a.met")})), "b.json");
  ra.concurrent_run_ids_now = others_of(0);
  rb.concurrent_run_ids_now = others_of(1);
  Session a(std::move(ra));
  Session b(std::move(rb));
  ASSERT_NE(a.run_id(), b.run_id());
  {
    std::lock_guard lock(mu);
    ids = {a.run_id(), b.run_id()};
  }
  Outcome oa, ob;
  std::thread ta([&] { oa = a.Run(); });
  std::thread tb([&] { ob = b.Run(); });
  ta.join();
  tb.join();
  for (auto* o : {&oa, &ob}) {
    EXPECT_EQ(o->exit_code, 0) << o->error;
    EXPECT_EQ(o->status, "completed");
    EXPECT_EQ(o->faults_applied, 1u);
    EXPECT_EQ(o->faults_undone, 1u);
    EXPECT_EQ(o->faults_left, 0u);
  }
  EXPECT_EQ(CountLines(PathOf("a.undo")), 1);
  EXPECT_EQ(CountLines(PathOf("b.undo")), 1);
  // Each met the other while both faults were applied (the step fails after 30 s alone).
  for (const char* name : {"a.json", "b.json"}) {
    Json j = ReadJson(PathOf(name));
    EXPECT_EQ(j["experiment"]["title"], std::string(name, 1));
    ASSERT_EQ(j["run"].size(), 2u) << name;
    EXPECT_EQ(j["run"][0]["status"], "succeeded") << name;
    EXPECT_EQ(j["run"][1]["status"], "succeeded") << name;
  }
  auto pending = faults::PendingFaults(StateDir());
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, 0u);
}

}  // namespace
}  // namespace chaosrun::session
