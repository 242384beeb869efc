#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace chaosrun::ledger {
namespace {

Json Intent(const std::string& id) {
  return Json{{"id", id}, {"driver", "process"}, {"func", "stop"}, {"undo", {{"pids", {42}}}}};
}

TEST(Ledger, IntentIsPendingUntilReverted) {
  testing::TempDir dir;
  auto l = Ledger::Open(dir.path().string());
  ASSERT_TRUE(l.has_value());
  ASSERT_TRUE((*l)->RecordIntent(Intent("a")).ok());
  ASSERT_TRUE((*l)->RecordIntent(Intent("b")).ok());
  ASSERT_TRUE((*l)->RecordApplied("a").ok());
  auto p = (*l)->Pending();
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].id, "a");
  EXPECT_TRUE((*p)[0].applied);
  EXPECT_FALSE((*p)[1].applied);  // intent only: apply may or may not have happened
  EXPECT_EQ((*p)[0].intent["undo"]["pids"][0], 42);
  ASSERT_TRUE((*l)->RecordReverted("a").ok());
  p = (*l)->Pending();
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0].id, "b");
}

TEST(Ledger, SurvivesReopenAndRecordsUndoFailures) {
  testing::TempDir dir;
  {
    auto l = Ledger::Open(dir.path().string());
    ASSERT_TRUE((*l)->RecordIntent(Intent("x")).ok());
    ASSERT_TRUE((*l)->RecordUndoFailed("x", "no such process").ok());
  }
  auto l = Ledger::Open(dir.path().string());
  auto p = (*l)->Pending();
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0].last_error, "no such process");
}

TEST(Ledger, TornTailIsIgnoredAndNextRecordStartsOnItsOwnLine) {
  testing::TempDir dir;
  auto l = Ledger::Open(dir.path().string());
  ASSERT_TRUE((*l)->RecordIntent(Intent("ok")).ok());
  {
    std::ofstream f((*l)->path(), std::ios::app);
    f << R"({"op":"intent","id":"torn","undo":{"pi)";  // a crash mid-write
  }
  auto p = (*l)->Pending();
  ASSERT_EQ(p->size(), 1u);
  ASSERT_TRUE((*l)->RecordIntent(Intent("next")).ok());
  p = (*l)->Pending();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[1].id, "next");
}

TEST(Ledger, GarbageLinesAreSkipped) {
  testing::TempDir dir;
  auto l = Ledger::Open(dir.path().string());
  {
    std::ofstream f((*l)->path(), std::ios::app);
    f << "not json\n[1,2]\n{\"op\":\"reverted\",\"id\":\"nobody\"}\n{\"op\":7}\n";
  }
  ASSERT_TRUE((*l)->RecordIntent(Intent("a")).ok());
  EXPECT_EQ((*l)->Pending()->size(), 1u);
}

TEST(Ledger, CompactsOnlyWhenNothingIsPending) {
  testing::TempDir dir;
  auto l = Ledger::Open(dir.path().string());
  ASSERT_TRUE((*l)->RecordIntent(Intent("a")).ok());
  ASSERT_TRUE((*l)->CompactIfClean().ok());
  EXPECT_GT(std::filesystem::file_size((*l)->path()), 0u);
  ASSERT_TRUE((*l)->RecordReverted("a").ok());
  ASSERT_TRUE((*l)->CompactIfClean().ok());
  EXPECT_EQ(std::filesystem::file_size((*l)->path()), 0u);
}

TEST(Ledger, RejectsIntentWithoutId) {
  testing::TempDir dir;
  auto l = Ledger::Open(dir.path().string());
  EXPECT_FALSE((*l)->RecordIntent(Json{{"driver", "x"}}).ok());
  EXPECT_FALSE((*l)->RecordIntent(Json::array()).ok());
}

TEST(Ledger, TwoHandlesOnOneDirectoryShareTheRecord) {
  testing::TempDir dir;
  auto a = Ledger::Open(dir.path().string());
  auto b = Ledger::Open(dir.path().string());
  ASSERT_TRUE((*a)->RecordIntent(Intent("1")).ok());
  ASSERT_TRUE((*b)->RecordIntent(Intent("2")).ok());
  ASSERT_TRUE((*a)->RecordReverted("2").ok());
  auto p = (*b)->Pending();
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0].id, "1");
}

TEST(Ledger, FaultIdsAreUnique) { EXPECT_NE(NewFaultId(), NewFaultId()); }

}  // namespace
}  // namespace chaosrun::ledger
