#include "daemon/journal_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace chaosrun::daemon {
namespace {

using chaosrun::testing::TempDir;

Json StoreSummary(const std::string& id, const std::string& schedule, const std::string& status,
                  const std::string& started) {
  return {{"id", id},         {"schedule", schedule}, {"experiment", "e"},
          {"status", status}, {"deviated", false},    {"started", started}};
}

std::vector<std::string> Ids(const std::vector<Json>& summaries) {
  std::vector<std::string> ids;
  for (const auto& s : summaries) ids.push_back(s["id"].get<std::string>());
  return ids;
}

TEST(RunIds, GeneratedIdsAreSafeAndUnsafeOnesAreRefused) {
  std::string id = NewRunId(Clock::WallTime{});
  EXPECT_TRUE(IsSafeRunId(id)) << id;
  EXPECT_EQ(id.substr(0, 17), "19700101T000000Z-");
  for (const char* bad : {"", "../x", "a/b", ".hidden", "a b", "x\n"}) {
    EXPECT_FALSE(IsSafeRunId(bad)) << bad;
  }
  EXPECT_FALSE(IsSafeRunId(std::string(101, 'a')));
}

TEST(JournalStore, IndexHoldsSummariesNewestFirstAndSurvivesReopen) {
  TempDir dir;
  std::string runs = (dir.path() / "runs").string();
  {
    JournalStore store(runs);
    ASSERT_TRUE(store.Open().ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r1", "s", "completed", "t1")).ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r2", "s", "running", "t2")).ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r2", "s", "failed", "t2")).ok());
    EXPECT_EQ(Ids(store.Summaries()), (std::vector<std::string>{"r2", "r1"}));
    EXPECT_FALSE(store.PutSummary(StoreSummary("../x", "s", "failed", "t")).ok());
  }
  JournalStore again(runs);
  ASSERT_TRUE(again.Open().ok());
  EXPECT_FALSE(again.rebuilt());
  EXPECT_EQ(again.Summary("r2").value()["status"], "failed");
  EXPECT_EQ(Ids(again.Summaries()), (std::vector<std::string>{"r2", "r1"}));
  EXPECT_EQ(std::filesystem::status(runs).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
}

TEST(JournalStore, CorruptOrMissingIndexIsRebuiltFromTheRunFiles) {
  TempDir dir;
  std::string runs = (dir.path() / "runs").string();
  {
    JournalStore store(runs);
    ASSERT_TRUE(store.Open().ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r1", "a", "completed", "t1")).ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r2", "b", "failed", "t2")).ok());
  }
  // A journal written by a daemon that died before its .meta.json.
  std::ofstream(runs + "/r3.json") << R"({"experiment": {"title": "T"}, "status": "completed",
      "deviated": true, "start": "t3", "end": "t4"})";
  std::ofstream(runs + "/index.json") << "{not json";
  JournalStore store(runs);
  ASSERT_TRUE(store.Open().ok());
  EXPECT_TRUE(store.rebuilt());
  EXPECT_EQ(Ids(store.Summaries()), (std::vector<std::string>{"r3", "r2", "r1"}));
  EXPECT_EQ(store.Summary("r3").value()["experiment"], "T");
  EXPECT_EQ(store.Summary("r3").value()["deviated"], true);
  EXPECT_EQ(store.Summary("r2").value()["schedule"], "b");
  ASSERT_TRUE(store.Journal("r3"));
  EXPECT_EQ((*store.Journal("r3"))["end"], "t4");
  EXPECT_EQ(store.Journal("r1").error().code(), Code::kNotFound);
  EXPECT_EQ(store.Journal("../index").error().code(), Code::kNotFound);

  std::filesystem::remove(runs + "/index.json");
  JournalStore missing(runs);
  ASSERT_TRUE(missing.Open().ok());
  EXPECT_TRUE(missing.rebuilt());
  EXPECT_EQ(missing.Summaries().size(), 3u);
}

TEST(JournalStore, PruneKeepsTheNewestFinishedRunsOfOneSchedule) {
  TempDir dir;
  std::string runs = (dir.path() / "runs").string();
  JournalStore store(runs);
  ASSERT_TRUE(store.Open().ok());
  for (int i = 1; i <= 5; ++i) {
    std::string id = "a" + std::to_string(i);
    ASSERT_TRUE(store.PutSummary(StoreSummary(id, "a", "completed", "t" + std::to_string(i))).ok());
    std::ofstream(store.JournalPath(id)) << "{}";
  }
  ASSERT_TRUE(store.PutSummary(StoreSummary("a6", "a", "running", "t6")).ok());
  ASSERT_TRUE(store.PutSummary(StoreSummary("b1", "b", "completed", "t0")).ok());
  EXPECT_EQ(store.Prune("a", 2), 3u);
  EXPECT_EQ(Ids(store.Summaries()), (std::vector<std::string>{"b1", "a6", "a5", "a4"}));
  EXPECT_FALSE(std::filesystem::exists(store.JournalPath("a1")));
  EXPECT_FALSE(std::filesystem::exists(runs + "/a1.meta.json"));
  EXPECT_TRUE(std::filesystem::exists(store.JournalPath("a5")));
  EXPECT_EQ(store.Prune("a", 2), 0u);
}

TEST(JournalStore, UnfinishedRunsOfADeadDaemonBecomeInterrupted) {
  TempDir dir;
  std::string runs = (dir.path() / "runs").string();
  {
    JournalStore store(runs);
    ASSERT_TRUE(store.Open().ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r1", "", "running", "t1")).ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r2", "", "completed", "t2")).ok());
    ASSERT_TRUE(store.PutSummary(StoreSummary("r3", "", "queued", "t3")).ok());
  }
  JournalStore store(runs);
  ASSERT_TRUE(store.Open().ok());
  EXPECT_EQ(store.MarkUnfinishedInterrupted(), (std::vector<std::string>{"r1", "r3"}));
  JournalStore again(runs);
  ASSERT_TRUE(again.Open().ok());
  EXPECT_EQ(again.Summary("r1").value()["status"], "interrupted");
  EXPECT_EQ(again.Summary("r2").value()["status"], "completed");
  EXPECT_TRUE(again.MarkUnfinishedInterrupted().empty());
}

}  // namespace
}  // namespace chaosrun::daemon
