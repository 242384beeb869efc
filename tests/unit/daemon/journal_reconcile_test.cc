// A valid journal index is reconciled with the run files at Open: a crash between a .meta.json
// and index.json, or a daemon dying after the session wrote the journal but before the run's last
// summary, must neither lose a run nor label a finished one interrupted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon/journal_store.h"
#include "support/temp_dir.h"

namespace chaosrun::daemon {
namespace {

using chaosrun::testing::TempDir;

Json ReconcileSummary(const std::string& id, const std::string& status,
                      const std::string& started) {
  return {{"id", id},         {"schedule", "s"},   {"experiment", "e"},
          {"status", status}, {"deviated", false}, {"started", started}};
}

std::vector<std::string> ReconcileIds(const std::vector<Json>& summaries) {
  std::vector<std::string> ids;
  for (const auto& s : summaries) ids.push_back(s["id"].get<std::string>());
  return ids;
}

class JournalReconcile : public ::testing::Test {
 protected:
  void Put(const Json& summary) {
    JournalStore store(runs_);
    ASSERT_TRUE(store.Open().ok());
    ASSERT_TRUE(store.PutSummary(summary).ok());
  }
  // A file written as the crash left it (no index update).
  void WriteFile(const std::string& name, const Json& content) {
    std::ofstream(runs_ + "/" + name) << content.dump();
  }
  TempDir dir_;
  std::string runs_ = (dir_.path() / "runs").string();
};

TEST_F(JournalReconcile, ARunWhoseMetaWasWrittenButNotTheIndexIsAdded) {
  Put(ReconcileSummary("r1", "completed", "t1"));
  WriteFile("r2.meta.json", ReconcileSummary("r2", "failed", "t2"));
  WriteFile("r0.meta.json", ReconcileSummary("r0", "completed", "t0"));  // older: sorted in
  JournalStore store(runs_);
  ASSERT_TRUE(store.Open().ok());
  EXPECT_FALSE(store.rebuilt());
  EXPECT_EQ(ReconcileIds(store.Summaries()), (std::vector<std::string>{"r2", "r1", "r0"}));
  EXPECT_EQ(store.Summary("r2").value()["status"], "failed");
  // The index itself now holds them.
  Json index = Json::parse(std::ifstream(runs_ + "/index.json"));
  EXPECT_EQ(index["runs"].size(), 3u) << index.dump();
}

TEST_F(JournalReconcile, AnIndexEntryStillRunningTakesTheFinishedMeta) {
  Put(ReconcileSummary("r1", "running", "t1"));
  WriteFile("r1.meta.json", ReconcileSummary("r1", "aborted", "t1"));  // index not rewritten
  JournalStore store(runs_);
  ASSERT_TRUE(store.Open().ok());
  EXPECT_EQ(store.Summary("r1").value()["status"], "aborted");
  EXPECT_TRUE(store.MarkUnfinishedInterrupted().empty());
}

TEST_F(JournalReconcile, ACompleteJournalGivesTheRealStatusOfARunLeftRunning) {
  Put(ReconcileSummary("r1", "running", "t1"));
  Put(ReconcileSummary("r2", "running", "t2"));
  // The session wrote r1's journal; the daemon died before the run's last summary. r2 never got
  // one: it really was cut short.
  WriteFile("r1.json", Json{{"experiment", {{"title", "e"}}},
                            {"status", "completed"},
                            {"deviated", true},
                            {"start", "t1"},
                            {"end", "t1-end"}});
  {
    JournalStore store(runs_);
    ASSERT_TRUE(store.Open().ok());
    Json r1 = store.Summary("r1").value();
    EXPECT_EQ(r1["status"], "completed");
    EXPECT_EQ(r1["deviated"], true);
    EXPECT_EQ(r1["ended"], "t1-end");
    EXPECT_EQ(r1["schedule"], "s");  // the rest of the summary stays
    EXPECT_EQ(store.MarkUnfinishedInterrupted(), (std::vector<std::string>{"r2"}));
  }
  JournalStore again(runs_);  // and it was written down (meta and index)
  ASSERT_TRUE(again.Open().ok());
  EXPECT_EQ(again.Summary("r1").value()["status"], "completed");
  EXPECT_EQ(again.Summary("r2").value()["status"], "interrupted");
  Json meta = Json::parse(std::ifstream(runs_ + "/r1.meta.json"));
  EXPECT_EQ(meta["status"], "completed");
}

TEST_F(JournalReconcile, AJournalTheIndexLacksIsAddedWithItsStatus) {
  Put(ReconcileSummary("r1", "completed", "t1"));
  WriteFile(
      "r2.json",
      Json{{"experiment", {{"title", "T"}}}, {"status", "failed"}, {"start", "t2"}, {"end", "t3"}});
  std::ofstream(runs_ + "/r3.json") << "{half a journ";  // unreadable: left out
  JournalStore store(runs_);
  ASSERT_TRUE(store.Open().ok());
  EXPECT_EQ(ReconcileIds(store.Summaries()), (std::vector<std::string>{"r2", "r1"}));
  EXPECT_EQ(store.Summary("r2").value()["status"], "failed");
  EXPECT_EQ(store.Summary("r2").value()["experiment"], "T");
}

}  // namespace
}  // namespace chaosrun::daemon
