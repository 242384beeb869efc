// libFuzzer target: chaosrund's schedules (src/scheduler/): five-field cron and @-macros as text,
// and schedule objects (cron, zone, jitter, blackout and "only" windows) through ParseSchedule,
// then the fire-time functions on what parsed. Input: first byte picks the parser ('c' cron
// text, anything else a JSON schedule object), the rest is its text. Never a crash, a hang or an
// exception; ParseSchedule fails exactly when it reported problems, every problem's pointer is
// under the schedule's, and every fire NextFire returns is strictly after the time asked about.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/cron.h"
#include "scheduler/schedule.h"

namespace sched = chaosrun::scheduler;
using chaosrun::Json;

namespace {

// 2026-12-07T03:00:00Z: a fixed "now", so inputs replay the same.
constexpr int64_t kNowUnix = 1796612400;

void FuzzCronText(std::string_view text) {
  auto spec = sched::ParseCron(text);
  if (spec && !spec->IsEvery()) {
    const cctz::civil_second from(2026, 12, 7, 3, 0, 0);
    (void)sched::NextCivilMatch(*spec, from, from + 5LL * 366 * 86400);
  }
  (void)sched::ParseEveryDuration(text);
}

void FuzzScheduleObject(std::string_view text) {
  const Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return;
  const std::string pointer = "/schedules/3";
  std::vector<sched::Problem> problems;
  auto s = sched::ParseSchedule(value, pointer, problems);
  if (s.has_value() != problems.empty()) std::abort();
  for (const sched::Problem& p : problems) {
    if (p.pointer.rfind(pointer, 0) != 0 || p.message.empty()) std::abort();
  }
  if (!s) return;
  (void)sched::ConcurrencyName(s->concurrency);
  const sched::WallTime now{std::chrono::seconds(kNowUnix)};
  // A short chain of fires: each strictly after the one before.
  sched::WallTime after = now;
  for (int i = 0; i < 3; ++i) {
    auto next = sched::NextFire(*s, after);
    if (!next) break;
    if (*next <= after) std::abort();
    after = *next;
  }
  (void)sched::NextNominalFire(*s, now);
  // A day of missed fires at most (a cron counts fire by fire).
  (void)sched::CountMissed(*s, now, now + std::chrono::hours(24));
  // A copy shares the compiled form; recompiling from the fields gives the same answer.
  sched::Schedule copy = *s;
  if (!sched::Compile(copy).ok()) std::abort();
  if (sched::NextFire(copy, now) != sched::NextFire(*s, now)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] == 'c') {
    FuzzCronText(text);
  } else {
    FuzzScheduleObject(text);
  }
  return 0;
}
