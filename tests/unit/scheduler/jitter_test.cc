// Jitter: a deterministic delay per (name, nominal time), below the jitter and before the next
// nominal fire; NextFire stays a pure function.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "scheduler/schedule.h"
#include "unit/scheduler/sched_test_util.h"

namespace chaosrun::scheduler {
namespace {

using testing::At;
using testing::Sched;

Schedule Jittered(const std::string& name, const std::string& cron, double jitter) {
  return Sched(R"({"name": ")" + name + R"(", "experiment": "e.json", "cron": ")" + cron +
               R"(", "jitter_seconds": )" + std::to_string(jitter) + "}");
}

// docs/scheduling.md's formula, written out independently of the implementation.
int64_t DocumentedDelayNs(const std::string& name, int64_t nominal, double cap_seconds) {
  uint64_t h = 14695981039346656037ull;
  auto byte = [&h](unsigned char b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  for (char c : name) byte(static_cast<unsigned char>(c));
  byte(0);
  for (int i = 0; i < 8; ++i)
    byte(static_cast<unsigned char>(static_cast<uint64_t>(nominal) >> (8 * i)));
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  double frac = static_cast<double>(h >> 11) / 9007199254740992.0;
  return static_cast<int64_t>(std::floor(frac * cap_seconds * 1e9));
}

int64_t Seconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TEST(Jitter, IsTheDocumentedHash) {
  Schedule s = Jittered("nightly-drill", "0 3 * * *", 600);
  WallTime nominal = At("2026-02-01 03:00");
  auto f = NextFire(s, At("2026-02-01 00:00"));
  ASSERT_TRUE(f);
  auto delay = std::chrono::duration_cast<std::chrono::nanoseconds>(*f - nominal).count();
  EXPECT_EQ(delay, DocumentedDelayNs("nightly-drill", Seconds(nominal), 600));
  EXPECT_GE(delay, 0);
  EXPECT_LT(delay, 600'000'000'000);
  // Pure: the same answer every time, and from any time before the fire.
  EXPECT_EQ(NextFire(s, At("2026-02-01 00:00")), f);
  EXPECT_EQ(NextFire(s, At("2026-01-31 03:30")), f);
  EXPECT_EQ(NextNominalFire(s, At("2026-02-01 00:00")), nominal);
}

TEST(Jitter, AfterTheNominalTimeButBeforeTheDelayedFire) {
  Schedule s = Jittered("a", "0 3 * * *", 3600);
  WallTime nominal = At("2026-02-01 03:00");
  auto f = NextFire(s, At("2026-02-01 00:00"));
  ASSERT_TRUE(f);
  ASSERT_GT(*f, nominal);
  WallTime between = nominal + (*f - nominal) / 2;
  EXPECT_EQ(NextFire(s, between), f);
  // Once fired, the next one is the next day's.
  auto next = NextFire(s, *f);
  ASSERT_TRUE(next);
  EXPECT_GE(*next, At("2026-02-02 03:00"));
  EXPECT_LT(*next, At("2026-02-02 04:00"));
}

TEST(Jitter, NamesSpreadTheirFires) {
  std::set<WallTime> fires;
  for (int i = 0; i < 20; ++i) {
    fires.insert(
        *NextFire(Jittered("drill-" + std::to_string(i), "@daily", 3600), At("2026-02-01 12:00")));
  }
  EXPECT_GT(fires.size(), 15u);
}

TEST(Jitter, NeverPastTheNextNominalFire) {
  // A jitter larger than the period is capped by the gap to the next nominal fire.
  Schedule s = Jittered("every-minute", "* * * * *", 3600);
  std::optional<WallTime> t = At("2026-02-01 00:00");
  WallTime prev = *t;
  for (int i = 0; i < 500; ++i) {
    auto f = NextFire(s, *t);
    ASSERT_TRUE(f);
    ASSERT_GT(*f, prev);
    auto nominal = std::chrono::floor<std::chrono::minutes>(*f);
    EXPECT_LT(*f - nominal, std::chrono::minutes(1));
    // Exactly one fire per minute: the i-th fire lies in minute i (the fire of 00:00 itself is
    // after 00:00: its delay is > 0).
    ASSERT_EQ(Seconds(WallTime(nominal)), Seconds(At("2026-02-01 00:00") + std::chrono::minutes(i)))
        << i << " " << testing::Local(*f);
    prev = *f;
    t = f;
  }
  // @every: the cap is the interval.
  Schedule e = Jittered("e", "@every 10s", 60);
  auto f = NextFire(e, At("2026-02-01 00:00"));
  ASSERT_TRUE(f);
  EXPECT_LT(*f, At("2026-02-01 00:00:20"));
}

TEST(Jitter, WindowsDecideByTheNominalTime) {
  Schedule s = Sched(R"({"name": "w", "experiment": "e.json", "cron": "55 15 * * *",
      "jitter_seconds": 3600, "only": [{"from": "10:00", "to": "16:00"}]})");
  auto f = NextFire(s, At("2026-02-01 00:00"));
  ASSERT_TRUE(f);
  EXPECT_GE(*f, At("2026-02-01 15:55"));
  EXPECT_LT(*f, At("2026-02-01 16:55"));
}

TEST(Jitter, MissedFiresCountDelayedTimes) {
  Schedule s = Jittered("m", "0 * * * *", 1800);
  // A chain of fires: between consecutive ones nothing is missed; across k of them, k - 1 are.
  std::vector<WallTime> fires;
  std::optional<WallTime> t = At("2026-02-01 00:00");
  for (int i = 0; i < 30; ++i) {
    t = NextFire(s, *t);
    ASSERT_TRUE(t);
    fires.push_back(*t);
  }
  for (size_t i = 0; i + 1 < fires.size(); ++i) {
    EXPECT_EQ(CountMissed(s, fires[i], fires[i + 1] - std::chrono::nanoseconds(1)), 0u) << i;
    EXPECT_EQ(CountMissed(s, fires[i], fires[i + 1]), 1u) << i;
    EXPECT_EQ(CountMissed(s, fires[0], fires[i + 1]), i + 1) << i;
  }
  // "Now" between a nominal time and its delayed fire: that fire is not missed, it is next.
  WallTime nominal = At("2026-02-01 05:00");
  auto f = NextFire(s, nominal - std::chrono::seconds(1));
  ASSERT_TRUE(f && *f > nominal);
  WallTime now = nominal + (*f - nominal) / 2;
  EXPECT_EQ(CountMissed(s, fires[0], now),
            static_cast<size_t>(std::count_if(fires.begin() + 1, fires.end(),
                                              [&](WallTime x) { return x <= now; })));
  EXPECT_EQ(NextFire(s, now), f);
}

TEST(Jitter, HandBuiltValuesAreBounded) {
  // ParseSchedule allows 0..86400; a schedule built in code with more is capped, NaN is none.
  Schedule s;
  s.name = "huge";
  s.cron = "@daily";
  s.jitter_seconds = 1e30;
  auto f = NextFire(s, At("2026-02-01 12:00"));
  ASSERT_TRUE(f);
  EXPECT_GT(*f, At("2026-02-01 12:00"));
  EXPECT_LT(*f, At("2026-02-03 00:00"));  // capped at a day: below the next-but-one nominal
  s.jitter_seconds = std::nan("");
  EXPECT_EQ(NextFire(s, At("2026-02-01 12:00")), At("2026-02-02 00:00"));
  // Near the end of what a time point holds (2262): no fire past it, no overflow.
  s.jitter_seconds = 0;
  s.cron = "0 0 1 1 *";
  EXPECT_EQ(NextFire(s, At("2261-06-01 00:00")), At("2262-01-01 00:00"));
  EXPECT_FALSE(NextFire(s, At("2262-01-01 00:00")).has_value());
}

}  // namespace
}  // namespace chaosrun::scheduler
