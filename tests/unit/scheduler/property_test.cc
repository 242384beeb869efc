// Property test: for random schedules (cron fields, zones with DST, windows) and random times
// near zone changes, NextFire(s, t) is > t, is a fire by an independent brute-force reading of
// the rules (docs/scheduling.md), and no fire lies strictly between (a minute-by-minute scan).
// Deterministic: a fixed seed; a failure prints the case.
#include <gtest/gtest.h>

#include <random>

#include "scheduler/cron.h"
#include "scheduler/schedule.h"
#include "unit/scheduler/sched_test_util.h"

namespace chaosrun::scheduler {
namespace {

using Sec = int64_t;

struct PropCase {
  Schedule schedule;
  CronSpec spec;
  cctz::time_zone zone;
  Sec anchor = 0;
};

bool BruteCivilMatch(const CronSpec& c, const cctz::civil_second& t) {
  if (!(c.minutes >> t.minute() & 1) || !(c.hours >> t.hour() & 1)) return false;
  if (!(c.months >> t.month() & 1)) return false;
  int wd = (static_cast<int>(cctz::get_weekday(cctz::civil_day(t))) + 1) % 7;
  bool dom = c.days >> t.day() & 1;
  bool dow = c.weekdays >> wd & 1;
  return (c.dom_star || c.dow_star) ? (dom && dow) : (dom || dow);
}

bool BruteInWindow(const Window& w, const cctz::civil_second& t) {
  auto listed = [&w](const cctz::civil_day& d) {
    int wd = (static_cast<int>(cctz::get_weekday(d)) + 1) % 7;
    return w.days == 0 || (w.days >> wd & 1);
  };
  int m = t.hour() * 60 + t.minute();
  cctz::civil_day d(t);
  if (w.from_minute < w.to_minute) return listed(d) && m >= w.from_minute && m < w.to_minute;
  return (listed(d) && m >= w.from_minute) || (listed(d - 1) && m < w.to_minute);
}

bool BruteAllowed(const Schedule& s, const cctz::civil_second& t) {
  for (const Window& w : s.blackouts) {
    if (BruteInWindow(w, t)) return false;
  }
  if (s.only.empty()) return true;
  for (const Window& w : s.only) {
    if (BruteInWindow(w, t)) return true;
  }
  return false;
}

// Whether instant `t` (a whole minute) is a fire of the case.
bool BruteFires(const PropCase& pc, Sec t) {
  auto tp = cctz::time_point<cctz::seconds>(cctz::seconds(t));
  cctz::civil_second c = pc.zone.lookup(tp).cs;
  if (!BruteAllowed(pc.schedule, c)) return false;
  if (pc.spec.IsEvery()) return (t - pc.anchor) % pc.spec.every_seconds == 0;
  bool every_hour = pc.spec.hours == 0xFFFFFF;
  if (BruteCivilMatch(pc.spec, c)) {
    if (every_hour) return true;
    auto l = pc.zone.lookup(c);
    if (l.kind != cctz::time_zone::civil_lookup::REPEATED) return true;
    if (l.pre.time_since_epoch().count() == t) return true;  // the first pass only
  }
  if (every_hour) return false;
  // A gap ends at t: a match inside it fires at t.
  cctz::civil_second before = pc.zone.lookup(tp - cctz::seconds(1)).cs;
  if (c - before > 1) {
    for (cctz::civil_minute m(before + 1); cctz::civil_second(m) < c; ++m) {
      if (BruteCivilMatch(pc.spec, cctz::civil_second(m))) return true;
    }
  }
  return false;
}

std::string RandomField(std::mt19937& rng, int lo, int hi, bool favour_star) {
  auto pick = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
  int kind = pick(0, favour_star ? 7 : 5);
  switch (kind) {
    case 0: {
      int a = pick(lo, hi);
      return std::to_string(a);
    }
    case 1: {
      int a = pick(lo, hi), b = pick(lo, hi);
      if (a > b) std::swap(a, b);
      return std::to_string(a) + "-" + std::to_string(b);
    }
    case 2: {
      std::string out;
      for (int i = pick(2, 4); i > 0; --i)
        out += (out.empty() ? "" : ",") + std::to_string(pick(lo, hi));
      return out;
    }
    case 3: {
      int a = pick(lo, hi), b = pick(lo, hi);
      if (a > b) std::swap(a, b);
      return std::to_string(a) + "-" + std::to_string(b) + "/" + std::to_string(pick(1, 7));
    }
    case 4:
      return "*/" + std::to_string(pick(1, (hi - lo) / 2 + 1));
    default:
      return "*";
  }
}

Window RandomWindow(std::mt19937& rng) {
  auto pick = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
  Window w;
  if (pick(0, 1)) w.days = static_cast<uint8_t>(pick(1, 126));
  if (pick(0, 2)) {
    w.from_minute = pick(0, 47) * 30;
    do w.to_minute = pick(1, 48) * 30;
    while (w.to_minute == w.from_minute);
  }
  return w;
}

TEST(SchedulerProperty, NextFireIsTheFirstFireAfter) {
  const char* zones[] = {
      "UTC",          "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham",
      "Asia/Kolkata", "America/Sao_Paulo"};
  std::mt19937 rng(20261207);
  auto pick = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
  constexpr Sec kScanCap = 21 * 86400;
  int checked = 0;
  for (int round = 0; round < 400; ++round) {
    PropCase pc;
    std::string zone = zones[pick(0, 6)];
    pc.zone = testing::Zone(zone);
    // A start near one of the zone's changes in 2025-2028 (or anywhere, for zones without).
    Sec start = 1735689600 + pick(0, 4 * 365) * Sec{86400} + pick(0, 86399);
    cctz::time_zone::civil_transition tr;
    bool near_change =
        pick(0, 3) &&
        pc.zone.next_transition(cctz::time_point<cctz::seconds>(cctz::seconds(start)), &tr);
    if (near_change) {
      start = pc.zone.lookup(tr.to).trans.time_since_epoch().count() +
              (pick(0, 1) ? pick(-2 * 86400, 3600) : pick(-3 * 3600, 3600));
    }
    std::string cron;
    if (pick(0, 9) == 0) {
      cron = "@every " + std::to_string(pick(1, 180)) + "m";
    } else if (near_change && pick(0, 1)) {
      // The hour that the change skips or repeats, so the DST rules are exercised.
      int h = std::min(tr.from, tr.to).hour();
      std::string hours = std::to_string(h);
      if (pick(0, 1)) hours += "," + std::to_string(pick(0, 23));
      if (pick(0, 3) == 0) hours = "*";
      cron = RandomField(rng, 0, 59, false) + " " + hours + " * * " +
             (pick(0, 2) ? "*" : RandomField(rng, 0, 7, true));
    } else {
      cron = RandomField(rng, 0, 59, false) + " " + RandomField(rng, 0, 23, true) + " " +
             RandomField(rng, 1, 31, true) + " " +
             (pick(0, 4) ? "*" : RandomField(rng, 1, 12, false)) + " " +
             RandomField(rng, 0, 7, true);
    }
    pc.schedule.name = "p" + std::to_string(round);
    pc.schedule.cron = cron;
    pc.schedule.timezone = zone;
    if (pick(0, 3) == 0) pc.schedule.blackouts.push_back(RandomWindow(rng));
    if (pick(0, 3) == 0) pc.schedule.only.push_back(RandomWindow(rng));
    ASSERT_TRUE(Compile(pc.schedule).ok()) << cron;
    pc.spec = *ParseCron(cron);
    pc.anchor =
        cctz::convert(cctz::civil_second(1970, 1, 1, 0, 0, 0), pc.zone).time_since_epoch().count();

    WallTime after =
        WallTime(std::chrono::seconds(start)) + std::chrono::milliseconds(pick(0, 999));
    // A chain of fires: each is checked against the scan from the one before.
    for (int k = 0; k < 4; ++k) {
      std::string what = "case " + std::to_string(round) + "." + std::to_string(k) + ": \"" + cron +
                         "\" in " + zone + " after " + testing::Local(after, zone);
      auto next = NextFire(pc.schedule, after);
      Sec from = std::chrono::floor<std::chrono::seconds>(after).time_since_epoch().count();
      Sec scan_end = from + kScanCap;
      if (next) {
        ASSERT_GT(*next, after) << what;
        Sec n = std::chrono::duration_cast<std::chrono::seconds>(next->time_since_epoch()).count();
        ASSERT_EQ(WallTime(std::chrono::seconds(n)), *next) << what;  // whole seconds: no jitter
        ASSERT_TRUE(BruteFires(pc, n)) << what << " gave " << testing::Local(next, zone);
        scan_end = std::min(scan_end, n);
      }
      for (Sec m = (from / 60 + 1) * 60; m < scan_end; m += 60) {
        ASSERT_FALSE(BruteFires(pc, m))
            << what << ": fires at " << testing::Local(WallTime(std::chrono::seconds(m)), zone)
            << " but NextFire said " << testing::Local(next, zone);
      }
      if (!next) break;
      ASSERT_EQ(CountMissed(pc.schedule, after, *next), 1u) << what;
      after = *next;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 400);
}

}  // namespace
}  // namespace chaosrun::scheduler
