#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace chaosrun::engine {
namespace {

using ::testing::ElementsAre;

std::string Doc(const std::string& hypothesis_probes, const std::string& method,
                const std::string& rollbacks = "[]", const std::string& extra = "") {
  std::string ssh =
      hypothesis_probes.empty()
          ? ""
          : R"("steady-state-hypothesis": {"title": "h", "probes": )" + hypothesis_probes + "},";
  return R"({"title": "t", "description": "d", )" + ssh + R"("method": )" + method +
         R"(, "rollbacks": )" + rollbacks + extra + "}";
}

const std::string kProbeOk = R"([{"type": "probe", "name": "p", "tolerance": 0,
  "provider": {"type": "process", "path": "true"}}])";

TEST_F(EngineTest, CompletedRunHasTheReferenceJournalShape) {
  auto r = RunDoc(Doc(kProbeOk, "[" + Act("action", "a1") + "," + Act("probe", "a2") + "]",
                      "[" + Act("action", "rb") + "]"));
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_FALSE(r.deviated);
  EXPECT_EQ(r.exit_code, 0);
  std::vector<std::string> keys;
  for (auto it = r.journal.begin(); it != r.journal.end(); ++it) keys.push_back(it.key());
  EXPECT_THAT(keys,
              ElementsAre("chaoslib-version", "platform", "node", "experiment", "start", "status",
                          "deviated", "steady_states", "run", "rollbacks", "end", "duration"));
  EXPECT_EQ(r.journal["status"], "completed");
  EXPECT_EQ(r.journal["experiment"]["dry"], nullptr);
  EXPECT_EQ(r.journal["steady_states"]["before"]["steady_state_met"], true);
  EXPECT_EQ(r.journal["steady_states"]["after"]["steady_state_met"], true);
  EXPECT_TRUE(r.journal["steady_states"]["during"].empty());
  ASSERT_EQ(r.journal["run"].size(), 2u);
  std::vector<std::string> rec_keys;
  for (auto it = r.journal["run"][0].begin(); it != r.journal["run"][0].end(); ++it) {
    rec_keys.push_back(it.key());
  }
  EXPECT_THAT(rec_keys, ElementsAre("activity", "output", "start", "status", "end", "duration"));
  EXPECT_EQ(r.journal["rollbacks"].size(), 1u);
  EXPECT_THAT(dispatcher_.calls(), ElementsAre("p", "a1", "a2", "p", "rb"));
  auto probe = r.journal["steady_states"]["before"]["probes"][0];
  EXPECT_EQ(probe["tolerance_met"], true);
  EXPECT_TRUE(r.journal["start"].get<std::string>().ends_with("+00:00"));
}

TEST_F(EngineTest, BeforeHypothesisNotMetFailsAndRunsNothingElse) {  // D1
  dispatcher_.Returns("p", Json{{"status", 1}});
  auto r = RunDoc(Doc(kProbeOk, "[" + Act("action", "a1") + "]", "[" + Act("action", "rb") + "]"));
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.deviated);
  EXPECT_THAT(dispatcher_.calls(), ElementsAre("p"));
  EXPECT_TRUE(r.journal["run"].empty());
  EXPECT_TRUE(r.journal["rollbacks"].empty());
  EXPECT_EQ(r.journal["steady_states"]["after"], nullptr);
  EXPECT_TRUE(observer_.Has("skipped:method"));
}

TEST_F(EngineTest, AfterHypothesisNotMetDeviatesAndPlaysDefaultRollbacks) {
  int calls = 0;
  dispatcher_.Script("p", [&](const Json&, const providers::Context&) {
    return providers::Outcome::Succeeded(Json{{"status", ++calls == 1 ? 0 : 2}});
  });
  auto r = RunDoc(Doc(kProbeOk, "[" + Act("action", "a1") + "]", "[" + Act("action", "rb") + "]"));
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_TRUE(r.deviated);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.journal["deviated"], true);
  EXPECT_EQ(r.journal["steady_states"]["after"]["probes"][0]["tolerance_met"], false);
  EXPECT_EQ(dispatcher_.count("rb"), 1);
}

TEST_F(EngineTest, FailedMethodActivityIsDataNotFailure) {
  dispatcher_.Fails("a1", "boom");
  auto r = RunDoc(Doc("", "[" + Act("action", "a1") + "," + Act("action", "a2") + "]"));
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.journal["run"][0]["status"], "failed");
  EXPECT_EQ(r.journal["run"][0]["output"], nullptr);
  EXPECT_EQ(r.journal["run"][0]["exception"].back(), "chaoslib.exceptions.ActivityFailed: boom\n");
  EXPECT_EQ(dispatcher_.count("a2"), 1);
}

TEST_F(EngineTest, ErroredHypothesisProbeFailsTheRun) {
  dispatcher_.Fails("p", "cannot connect");
  auto r = RunDoc(Doc(kProbeOk, "[]"));
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(r.journal["steady_states"]["before"]["probes"][0]["status"], "failed");
  EXPECT_EQ(r.journal["steady_states"]["before"]["probes"][0]["tolerance_met"], false);
}

TEST_F(EngineTest, HypothesisStopsAtFirstUnmetProbe) {
  dispatcher_.Returns("p1", Json{{"status", 3}});
  auto r = RunDoc(
      Doc(R"([{"type":"probe","name":"p1","tolerance":0,"provider":{"type":"process","path":"x"}},
                         {"type":"probe","name":"p2","tolerance":0,"provider":{"type":"process","path":"x"}}])",
          "[]"));
  EXPECT_EQ(r.journal["steady_states"]["before"]["probes"].size(), 1u);
  EXPECT_EQ(dispatcher_.count("p2"), 0);
}

TEST_F(EngineTest, UnresolvableRefAbortsTheMethod) {
  auto r = RunDoc(Doc(kProbeOk, R"([{"ref": "nope"}, )" + Act("action", "after") + "]",
                      "[" + Act("action", "rb") + "]"));
  EXPECT_EQ(r.status, RunStatus::kAborted);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(dispatcher_.count("after"), 0);
  // The after-hypothesis is skipped; default rollbacks are played after an abort.
  EXPECT_EQ(r.journal["steady_states"]["after"], nullptr);
  EXPECT_EQ(dispatcher_.count("rb"), 1);
}

TEST_F(EngineTest, RefResolvesToHypothesisProbeAndJournalShowsTheFullActivity) {
  auto r = RunDoc(Doc(kProbeOk, R"([{"ref": "p"}])"));
  ASSERT_EQ(r.journal["run"].size(), 1u);
  EXPECT_EQ(r.journal["run"][0]["activity"]["name"], "p");
  EXPECT_EQ(r.journal["run"][0]["activity"]["type"], "probe");
}

TEST_F(EngineTest, UnknownTopLevelKeysAreCopiedIntoTheJournal) {
  auto r = RunDoc(Doc("", "[]", "[]", R"(, "version": "1.0.0", "x-team": {"a": 1})"));
  EXPECT_EQ(r.journal["experiment"]["version"], "1.0.0");
  EXPECT_EQ(r.journal["experiment"]["x-team"]["a"], 1);
}

}  // namespace
}  // namespace chaosrun::engine
