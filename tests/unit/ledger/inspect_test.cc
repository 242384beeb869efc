// `recover --list` and `recover --forget`: what a person sees of the ledger and may drop by hand.
#include "ledger/inspect.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "ledger/ledger.h"
#include "support/temp_dir.h"

namespace chaosrun::ledger {
namespace {

Json StopIntent(const std::string& id, double time) {
  return Json{{"id", id},
              {"run", "run-1"},
              {"driver", "process"},
              {"func", "stop"},
              {"activity", "stop-it"},
              {"targets", {"process:sleep/42"}},
              {"undo", {{"pids", {42}}}},
              {"time", time}};
}

// An identity of a runner that cannot be alive: another boot.
RunnerIdentity DeadRunner() { return RunnerIdentity{4242, 1, "an-earlier-boot"}; }

TEST(Inspect, HumanAge) {
  EXPECT_EQ(HumanAge(0.4), "0s");
  EXPECT_EQ(HumanAge(45), "45s");
  EXPECT_EQ(HumanAge(192), "3m12s");
  EXPECT_EQ(HumanAge(7500), "2h05m");
  EXPECT_EQ(HumanAge(3 * 86400 + 4 * 3600 + 1), "3d04h");
  EXPECT_EQ(HumanAge(-1), "?");
  EXPECT_EQ(HumanAge(std::nullopt), "?");
}

TEST(Inspect, ListShowsAgeDriverActionTargetsLastErrorAndLiveness) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  EXPECT_TRUE(ListPending(dir + "/none").value().empty());  // no state directory: nothing
  auto l = Ledger::Open(dir);
  ASSERT_TRUE(l.has_value());
  ASSERT_TRUE((*l)->RecordIntent(StopIntent("dead", 1000), DeadRunner()).ok());
  ASSERT_TRUE((*l)->RecordApplied("dead").ok());
  ASSERT_TRUE((*l)->RecordUndoFailed("dead", "no such process").ok());
  ASSERT_TRUE((*l)->RecordIntent(StopIntent("live", 1100)).ok());  // this process: alive
  auto list = ListPending(dir);
  ASSERT_TRUE(list.has_value()) << list.error().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_FALSE((*list)[0].runner_alive);
  EXPECT_TRUE((*list)[1].runner_alive);

  Json j = PendingJson(dir, *list, 1192);
  EXPECT_EQ(j["state_dir"], dir);
  ASSERT_EQ(j["pending"].size(), 2u);
  const Json& d = j["pending"][0];
  EXPECT_EQ(d["id"], "dead");
  EXPECT_EQ(d["driver"], "process");
  EXPECT_EQ(d["func"], "stop");
  EXPECT_EQ(d["activity"], "stop-it");
  EXPECT_EQ(d["targets"], Json({"process:sleep/42"}));
  EXPECT_DOUBLE_EQ(d["age_seconds"].get<double>(), 192);
  EXPECT_EQ(d["age"], "3m12s");
  EXPECT_EQ(d["applied"], true);
  EXPECT_EQ(d["last_undo_error"], "no such process");
  EXPECT_EQ(d["runner"]["pid"], 4242);
  EXPECT_EQ(d["runner"]["alive"], false);
  EXPECT_EQ(j["pending"][1]["runner"]["alive"], true);
  EXPECT_EQ(j["pending"][1]["runner"]["pid"], ::getpid());
  EXPECT_TRUE(j["pending"][1]["last_undo_error"].is_null());

  std::string table = PendingTable(*list, 1192);
  EXPECT_EQ(table.rfind("ID ", 0), 0u) << table;
  EXPECT_NE(table.find("3m12s"), std::string::npos) << table;
  EXPECT_NE(table.find("process:sleep/42"), std::string::npos) << table;
  EXPECT_NE(table.find("no such process"), std::string::npos) << table;
  EXPECT_NE(table.find("gone (pid 4242)"), std::string::npos) << table;
  EXPECT_NE(table.find("alive (pid " + std::to_string(::getpid()) + ")"), std::string::npos);
  EXPECT_EQ(PendingTable({}, 0), "no pending fault\n");
}

TEST(Inspect, AReleasedFaultIsPendingButNoLongerOwnedByALiveRunner) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  auto l = Ledger::Open(dir);
  ASSERT_TRUE(l.has_value());
  ASSERT_TRUE((*l)->RecordIntent(StopIntent("left", 1000)).ok());  // this process: alive
  ASSERT_TRUE((*l)->RecordApplied("left").ok());
  ASSERT_TRUE((*l)->RecordUndoFailed("left", "no such process").ok());
  ASSERT_TRUE((*l)->RecordReleased("left").ok());
  ASSERT_TRUE((*l)->RecordReleased("unknown-id").ok());  // ignored
  auto pending = (*l)->Pending();
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_TRUE((*pending)[0].released);
  auto list = ListPending(dir);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE((*list)[0].runner_alive);
  ASSERT_TRUE((*l)->RecordReverted("left").ok());
  EXPECT_TRUE((*l)->Pending()->empty());
}

TEST(Inspect, ForgetDropsOneEntryAndRecordsWho) {
  testing::TempDir tmp;
  std::string dir = tmp.path().string();
  auto l = Ledger::Open(dir);
  ASSERT_TRUE((*l)->RecordIntent(StopIntent("a", 1), DeadRunner()).ok());
  ASSERT_TRUE((*l)->RecordIntent(StopIntent("b", 2), DeadRunner()).ok());
  Json who = {{"uid", 0}, {"user", "root"}, {"sudo_user", "alice"}};
  auto f = Forget(dir, "a", who, 99);
  ASSERT_TRUE(f.has_value()) << f.error().message();
  EXPECT_EQ(f->id, "a");
  EXPECT_EQ(DescribeFault(*f), "process.stop on process:sleep/42, activity 'stop-it'");
  auto p = (*l)->Pending();
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0].id, "b");
  // The record says who, and when.
  std::string text;
  {
    std::ifstream in((*l)->path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(text.find(R"({"op":"forgotten","id":"a","by":{"uid":0,"user":"root","sudo_user":)"
                      R"("alice"},"time":99)"),
            std::string::npos)
      << text;
  // Unknown or already forgotten ids are errors, naming the id.
  auto again = Forget(dir, "a", who, 100);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), Code::kNotFound);
  EXPECT_NE(again.error().message().find("'a'"), std::string::npos);
  EXPECT_FALSE(Forget(dir, "nope", who, 100).has_value());
}

TEST(Inspect, WhoAmIAndDescribeWho) {
  Json me = WhoAmI();
  EXPECT_EQ(me["uid"], ::getuid());
  EXPECT_TRUE(me.contains("sudo_user"));
  EXPECT_EQ(DescribeWho({{"uid", 0}, {"user", "root"}, {"sudo_user", "alice"}}),
            "root (uid 0, via sudo from alice)");
  EXPECT_EQ(DescribeWho({{"uid", 1000}, {"user", nullptr}, {"sudo_user", nullptr}}), "uid 1000");
}

}  // namespace
}  // namespace chaosrun::ledger
