// NextFire, NextNominalFire and CountMissed: pure functions of the schedule and the time given.
// Times are whole Unix seconds inside (fires are on whole seconds before jitter).
//
// Cron in a zone, segment by segment: between two offset changes of the zone, civil time runs
// with the instant, so the next matching civil minute (a field-wise search, cron.cc) maps to an
// instant by adding a constant. At an offset change:
//   - a gap (spring forward): a cron with fixed hours fires once at the first instant after the
//     gap if any civil time in the gap matched (cronie's rule); an every-hour cron follows the
//     clock and makes nothing up;
//   - a repeat (fall back): a cron with fixed hours fires only in the first pass; an every-hour
//     cron fires in both passes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "scheduler/compiled.h"
#include "scheduler/schedule.h"
#include "scheduler/window.h"

namespace chaosrun::scheduler {
namespace {

using Sec = int64_t;
using TzPoint = cctz::time_point<cctz::seconds>;

constexpr Sec kHorizonSeconds = Sec{kHorizonYears} * 366 * 86400;
constexpr size_t kMissedSteps = 100000;  // cron: counted fire by fire, up to this many

// The last whole second a WallTime can hold (year 2262): limits never pass it.
const Sec kLastSec =
    std::chrono::floor<std::chrono::seconds>(WallTime::max()).time_since_epoch().count() - 1;

// Jitter as used: a schedule built by hand may hold anything; ParseSchedule allows 0..86400.
double EffectiveJitter(const Schedule& s) {
  return s.jitter_seconds > 0 ? std::min(s.jitter_seconds, 86400.0) : 0.0;
}

Sec LimitAfter(Sec a) { return a >= kLastSec - kHorizonSeconds ? kLastSec : a + kHorizonSeconds; }

TzPoint AtSec(Sec s) { return TzPoint(cctz::seconds(s)); }
Sec OfPoint(const TzPoint& p) { return p.time_since_epoch().count(); }
Sec FloorSec(WallTime t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}
WallTime FromSec(Sec s) { return WallTime(std::chrono::seconds(s)); }

cctz::civil_second CivilAt(const cctz::time_zone& z, Sec s) { return z.lookup(AtSec(s)).cs; }

// The next offset change strictly after `s`, as (instant, civil before, civil after).
struct ZoneChange {
  Sec at;
  cctz::civil_second from;
  cctz::civil_second to;
};
std::optional<ZoneChange> NextZoneChange(const cctz::time_zone& z, Sec s) {
  cctz::time_zone::civil_transition tr;
  Sec probe = s;
  for (int i = 0; i < 4; ++i) {
    if (!z.next_transition(AtSec(probe), &tr)) return std::nullopt;
    Sec at = OfPoint(z.lookup(tr.to).trans);
    if (at > s) return ZoneChange{at, tr.from, tr.to};
    probe = at + 1;
  }
  return std::nullopt;
}

std::optional<Sec> NextEvery(const CompiledSchedule& c, Sec after) {
  Sec i = c.cron.every_seconds;
  Sec d = after - c.every_anchor;
  Sec k = d >= 0 ? d / i : -((-d + i - 1) / i);  // floor(d / i)
  return c.every_anchor + (k + 1) * i;
}

// The first nominal fire of the cron (no windows) strictly after `after`, up to `limit`.
std::optional<Sec> NextRaw(const CompiledSchedule& c, Sec after, Sec limit) {
  if (c.cron.IsEvery()) {
    auto n = NextEvery(c, after);
    return n && *n <= limit ? n : std::nullopt;
  }
  const cctz::time_zone& z = c.zone;
  const bool fixed_hours = !c.cron.EveryHour();
  Sec base = after;
  cctz::civil_second base_civil = CivilAt(z, after);
  cctz::civil_second lower = base_civil + 1;
  if (fixed_hours) {  // inside the second pass of a repeated hour: only civil times not yet seen
    cctz::time_zone::civil_transition prev;
    if (z.prev_transition(AtSec(after + 1), &prev) && prev.to < prev.from &&
        base_civil < prev.from) {
      lower = std::max(lower, prev.from);
    }
  }
  while (base <= limit) {
    auto change = NextZoneChange(z, base);
    Sec seg_end = change ? change->at : limit + 1;
    cctz::civil_second end_civil = base_civil + (std::min(seg_end, limit + 1) - base);
    if (auto m = NextCivilMatch(c.cron, lower, end_civil)) {
      Sec n = base + (*m - base_civil);
      return n <= limit ? std::optional<Sec>(n) : std::nullopt;
    }
    if (!change || change->at > limit) return std::nullopt;
    cctz::civil_second from = base_civil + (change->at - base);  // civil time jumped away from
    if (fixed_hours && change->to > from && NextCivilMatch(c.cron, from, change->to)) {
      return change->at;  // made up once, at the first instant after the gap
    }
    base = change->at;
    base_civil = change->to;
    lower = fixed_hours && change->to < from ? from : change->to;
  }
  return std::nullopt;
}

// The first nominal fire strictly after `after` that the windows allow, up to `limit`.
std::optional<Sec> NextAllowed(const Schedule& s, const CompiledSchedule& c, Sec after, Sec limit) {
  Sec x = after;
  while (true) {
    auto n = NextRaw(c, x, limit);
    if (!n || (s.blackouts.empty() && s.only.empty())) return n;
    cctz::civil_second cn = CivilAt(c.zone, *n);
    if (WindowsAllow(s.blackouts, s.only, cn)) return n;
    // Skip to where the windows may allow a fire: the state is constant between boundaries.
    cctz::civil_second p = NextWindowBoundary(s.blackouts, s.only, cn);
    while (!WindowsAllow(s.blackouts, s.only, p) && p - cn < 8 * 86400) {
      p = NextWindowBoundary(s.blackouts, s.only, p);
    }
    if (!WindowsAllow(s.blackouts, s.only, p)) return std::nullopt;  // a whole week shut
    Sec jump = *n + (p - cn);
    if (auto change = NextZoneChange(c.zone, *n); change && change->at < jump) jump = change->at;
    x = jump - 1;
  }
}

// The documented jitter hash: FNV-1a 64 over the name, a 0 byte and the nominal Unix seconds
// (8 bytes, little endian), then the splitmix64 finalizer; the top 53 bits make a fraction.
double JitterFraction(const std::string& name, Sec nominal) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](unsigned char b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  for (char ch : name) mix(static_cast<unsigned char>(ch));
  mix(0);
  uint64_t v = static_cast<uint64_t>(nominal);
  for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(v >> (8 * i)));
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// The actual fire of nominal `n`: delayed by a fraction of min(jitter, gap to the next nominal).
WallTime Jittered(const Schedule& s, const CompiledSchedule& c, Sec n) {
  const double jitter = EffectiveJitter(s);
  if (jitter == 0) return FromSec(n);
  double cap_ns = jitter * 1e9;
  if (auto next = NextRaw(c, n, LimitAfter(n))) {
    cap_ns = std::min(cap_ns, static_cast<double>(*next - n) * 1e9);
  }
  auto delay = static_cast<int64_t>(std::floor(JitterFraction(s.name, n) * cap_ns));
  return FromSec(n) +
         std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(delay));
}

// The schedule's compiled form, or one compiled now into `scratch`; null when invalid.
const CompiledSchedule* Resolve(const Schedule& s, std::optional<CompiledSchedule>& scratch) {
  if (s.compiled) return s.compiled.get();
  auto c = CompileParts(s.cron, s.timezone);
  if (!c) return nullptr;
  scratch = std::move(*c);
  return &*scratch;
}

// The first fire strictly after `after`, with its nominal time. A fire is delayed by less than
// the jitter and lands before the next nominal fire, so fires keep the order of their nominal
// times: the answer is the first fire after `after` among the nominal times from
// `after - jitter` on.
struct FireAt {
  Sec nominal;
  WallTime fire;
};
std::optional<FireAt> FirstFireAfter(const Schedule& s, const CompiledSchedule& c, WallTime after) {
  Sec a = FloorSec(after);
  Sec limit = LimitAfter(a);
  const double jitter = EffectiveJitter(s);
  if (jitter == 0) {
    auto n = NextAllowed(s, c, a, limit);
    if (!n) return std::nullopt;
    return FireAt{*n, FromSec(*n)};
  }
  Sec x = FloorSec(after - std::chrono::duration_cast<WallTime::duration>(
                               std::chrono::duration<double>(jitter)));
  while (true) {
    auto n = NextAllowed(s, c, x, limit);
    if (!n) return std::nullopt;
    WallTime f = Jittered(s, c, *n);
    if (f > after) return FireAt{*n, f};
    x = *n;
  }
}

// Nominal fires in (from, to] that the windows allow; @every a whole allowed stretch at a time.
size_t CountNominal(const Schedule& s, const CompiledSchedule& cs, WallTime from, WallTime to) {
  const CompiledSchedule* c = &cs;
  Sec x = FloorSec(from);
  Sec last = FloorSec(to);  // a nominal n (whole seconds) is <= to iff n <= floor(to)
  size_t count = 0;
  const bool windows = !s.blackouts.empty() || !s.only.empty();
  for (size_t step = 0; step < kMissedSteps; ++step) {
    auto n = NextAllowed(s, *c, x, last);
    if (!n) break;
    if (!c->cron.IsEvery()) {
      ++count;
      x = *n;
      continue;
    }
    // @every: count a whole allowed stretch [n, end) at once.
    Sec end = last + 1;
    if (windows) {
      cctz::civil_second cn = CivilAt(c->zone, *n);
      end = std::min(end, *n + (NextWindowBoundary(s.blackouts, s.only, cn) - cn));
      if (auto change = NextZoneChange(c->zone, *n)) end = std::min(end, change->at);
    }
    Sec k = (end - 1 - *n) / c->cron.every_seconds;
    count += static_cast<size_t>(k) + 1;
    x = *n + k * c->cron.every_seconds;
  }
  return count;
}

}  // namespace

std::optional<WallTime> NextNominalFire(const Schedule& s, WallTime after) {
  std::optional<CompiledSchedule> scratch;
  const CompiledSchedule* c = Resolve(s, scratch);
  if (c == nullptr) return std::nullopt;
  Sec a = FloorSec(after);
  auto n = NextAllowed(s, *c, a, LimitAfter(a));
  if (!n) return std::nullopt;
  return FromSec(*n);
}

std::optional<WallTime> NextFire(const Schedule& s, WallTime after) {
  std::optional<CompiledSchedule> scratch;
  const CompiledSchedule* c = Resolve(s, scratch);
  if (c == nullptr) return std::nullopt;
  auto first = FirstFireAfter(s, *c, after);
  if (!first) return std::nullopt;
  return first->fire;
}

size_t CountMissed(const Schedule& s, WallTime from, WallTime to) {
  std::optional<CompiledSchedule> scratch;
  const CompiledSchedule* c = Resolve(s, scratch);
  if (c == nullptr || to <= from) return 0;
  size_t count = CountNominal(s, *c, from, to);
  if (EffectiveJitter(s) == 0) return count;
  // With jitter a fire is missed when its (delayed) fire time is in (from, to]: the nominal time
  // just before `from` may fire inside, the one just before `to` may fire after it.
  if (auto edge = FirstFireAfter(s, *c, from);
      edge && edge->nominal <= FloorSec(from) && edge->fire <= to) {
    ++count;
  }
  if (auto edge = FirstFireAfter(s, *c, to);
      edge && edge->nominal <= FloorSec(to) && edge->nominal > FloorSec(from) && count > 0) {
    --count;
  }
  return count;
}

}  // namespace chaosrun::scheduler
