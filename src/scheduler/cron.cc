#include "scheduler/cron.h"

#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace chaosrun::scheduler {
namespace {

struct CronField {
  const char* label;  // "minute"
  int lo;
  int hi;                    // day-of-week: 7 is accepted and means Sunday
  const char* const* names;  // nullptr, or names for lo..lo+count-1
  int name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kWeekdayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr std::array<CronField, 5> kCronFields = {{
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames, 12},
    {"day-of-week", 0, 7, kWeekdayNames, 7},
}};

std::string FieldPrefix(size_t index) {
  return "field " + std::to_string(index + 1) + " (" + kCronFields[index].label + ")";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// One value of a field: a number or (month, day-of-week) a three-letter name.
Result<int> ParseCronValue(std::string_view text, size_t index) {
  const CronField& f = kCronFields[index];
  if (text.empty()) return Err(Status::InvalidArgument(FieldPrefix(index) + " has an empty value"));
  if (std::isdigit(static_cast<unsigned char>(text[0]))) {
    long v = 0;
    for (char c : text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return Err(Status::InvalidArgument(FieldPrefix(index) + " \"" + std::string(text) +
                                           "\" is not a number"));
      }
      v = v * 10 + (c - '0');
      if (v > 1000000) break;
    }
    if (v < f.lo || v > f.hi) {
      return Err(Status::InvalidArgument(FieldPrefix(index) + " value " + std::string(text) +
                                         " is out of range " + std::to_string(f.lo) + "-" +
                                         std::to_string(f.hi)));
    }
    return static_cast<int>(v);
  }
  std::string up = Upper(text);
  for (int i = 0; i < f.name_count; ++i) {
    if (up == f.names[i]) return f.lo == 0 ? i : i + 1;
  }
  std::string what = f.names == nullptr ? "is not a number"
                     : index == 3       ? "is not a number or a month name (JAN-DEC)"
                                        : "is not a number or a day name (SUN-SAT)";
  return Err(
      Status::InvalidArgument(FieldPrefix(index) + " \"" + std::string(text) + "\" " + what));
}

// One comma-separated item: `*`, `N`, `N-M`, each optionally `/STEP`. Sets bits lo..hi.
Status ParseCronItem(std::string_view item, size_t index, uint64_t& bits) {
  const CronField& f = kCronFields[index];
  std::string_view range = item;
  int step = 1;
  bool has_step = false;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    range = item.substr(0, slash);
    std::string_view st = item.substr(slash + 1);
    has_step = true;
    bool digits = !st.empty() && st.size() <= 6;
    for (char c : st) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits) {
      return Status::InvalidArgument(FieldPrefix(index) + " step \"" + std::string(st) +
                                     "\" is not a number");
    }
    step = std::stoi(std::string(st));
    if (step < 1) return Status::InvalidArgument(FieldPrefix(index) + " step 0 must be at least 1");
  }
  int lo = f.lo;
  int hi = f.hi == 7 ? 6 : f.hi;  // `*` in day-of-week is 0-6
  if (range != "*") {
    size_t dash = range.find('-', 1);
    auto a = ParseCronValue(range.substr(0, dash), index);
    if (!a) return a.error();
    lo = hi = *a;
    if (dash != std::string_view::npos) {
      auto b = ParseCronValue(range.substr(dash + 1), index);
      if (!b) return b.error();
      hi = *b;
      if (hi < lo) {
        return Status::InvalidArgument(FieldPrefix(index) + " range " + std::string(range) +
                                       " is backwards (write it as a list)");
      }
    } else if (has_step) {
      return Status::InvalidArgument(FieldPrefix(index) + " step in \"" + std::string(item) +
                                     "\" needs a range or * before it");
    }
  }
  for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << (v == 7 && f.hi == 7 ? 0 : v);
  return Status::Ok();
}

Status ParseCronField(std::string_view text, size_t index, uint64_t& bits) {
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty())
      return Status::InvalidArgument(FieldPrefix(index) + " has an empty list item");
    if (Status s = ParseCronItem(item, index, bits); !s.ok()) return s;
    if (comma == std::string_view::npos) return Status::Ok();
    start = comma + 1;
  }
}

std::string_view MacroExpansion(const std::string& macro) {
  if (macro == "@yearly" || macro == "@annually") return "0 0 1 1 *";
  if (macro == "@monthly") return "0 0 1 * *";
  if (macro == "@weekly") return "0 0 * * 0";
  if (macro == "@daily" || macro == "@midnight") return "0 0 * * *";
  if (macro == "@hourly") return "0 * * * *";
  return {};
}

std::vector<std::string_view> SplitCronWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j;
  }
  return words;
}

int CronWeekday(const cctz::civil_day& d) {
  // cctz: monday = 0 .. sunday = 6; cron: sunday = 0.
  return (static_cast<int>(cctz::get_weekday(d)) + 1) % 7;
}

}  // namespace

bool CronSpec::MatchesDay(const cctz::civil_day& d) const {
  bool dom = (days >> d.day()) & 1u;
  bool dow = (weekdays >> CronWeekday(d)) & 1u;
  if (!(months >> d.month() & 1u)) return false;
  if (dom_star || dow_star) return dom && dow;
  return dom || dow;
}

Result<int64_t> ParseEveryDuration(std::string_view text) {
  if (text.empty()) return Err(Status::InvalidArgument("@every needs a duration, e.g. @every 90s"));
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    int64_t n = 0;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) && j - i < 9) {
      n = n * 10 + (text[j] - '0');
      ++j;
    }
    if (j == i || j >= text.size()) {
      return Err(Status::InvalidArgument("@every duration \"" + std::string(text) +
                                         "\" is not NUMBER+UNIT[...] (units d, h, m, s)"));
    }
    int64_t unit = 0;
    switch (text[j]) {
      case 'd':
        unit = 86400;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'm':
        unit = 60;
        break;
      case 's':
        unit = 1;
        break;
      default:
        return Err(Status::InvalidArgument("@every duration \"" + std::string(text) +
                                           "\" has an unknown unit '" + text[j] +
                                           "' (units d, h, m, s)"));
    }
    total += n * unit;
    if (total > 366 * 86400) break;
    i = j + 1;
  }
  if (total < 1) return Err(Status::InvalidArgument("@every duration must be at least 1s"));
  if (total > 366 * 86400) {
    return Err(Status::InvalidArgument("@every duration must be at most 366d"));
  }
  return total;
}

Result<CronSpec> ParseCron(std::string_view text) {
  std::vector<std::string_view> words = SplitCronWords(text);
  if (words.empty()) return Err(Status::InvalidArgument("is empty"));
  CronSpec spec;
  if (words[0][0] == '@') {
    std::string macro(words[0]);
    for (char& c : macro) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (macro == "@every") {
      if (words.size() != 2) {
        return Err(Status::InvalidArgument("@every takes one duration, e.g. @every 1h30m"));
      }
      auto secs = ParseEveryDuration(words[1]);
      if (!secs) return Err(secs.error());
      spec.every_seconds = *secs;
      return spec;
    }
    std::string_view expansion = MacroExpansion(macro);
    if (expansion.empty()) {
      return Err(Status::InvalidArgument(
          "unknown macro \"" + std::string(words[0]) +
          "\" (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or "
          "@every DURATION)"));
    }
    if (words.size() != 1) {
      return Err(Status::InvalidArgument(macro + " takes no fields after it"));
    }
    return ParseCron(expansion);
  }
  if (words.size() != 5) {
    return Err(Status::InvalidArgument(
        "expected 5 fields (minute hour day-of-month month day-of-week), got " +
        std::to_string(words.size())));
  }
  uint64_t bits[5] = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < 5; ++i) {
    if (Status s = ParseCronField(words[i], i, bits[i]); !s.ok()) return Err(s);
  }
  spec.minutes = bits[0];
  spec.hours = static_cast<uint32_t>(bits[1]);
  spec.days = static_cast<uint32_t>(bits[2]);
  spec.months = static_cast<uint16_t>(bits[3]);
  spec.weekdays = static_cast<uint8_t>(bits[4]);
  spec.dom_star = words[2][0] == '*';
  spec.dow_star = words[4][0] == '*';
  return spec;
}

std::optional<cctz::civil_second> NextCivilMatch(const CronSpec& spec, cctz::civil_second from,
                                                 cctz::civil_second limit) {
  if (spec.IsEvery() || spec.minutes == 0 || spec.hours == 0) return std::nullopt;
  cctz::civil_minute m(from);
  if (cctz::civil_second(m) < from) m += 1;
  while (cctz::civil_second(m) < limit) {
    if (!(spec.months >> m.month() & 1u)) {
      m = cctz::civil_minute(cctz::civil_month(m) + 1);
      continue;
    }
    cctz::civil_day d(m);
    if (!spec.MatchesDay(d)) {
      m = cctz::civil_minute(d + 1);
      continue;
    }
    int h = m.hour();
    while (h < 24 && !(spec.hours >> h & 1u)) ++h;
    if (h == 24) {
      m = cctz::civil_minute(d + 1);
      continue;
    }
    if (h != m.hour()) {
      m = cctz::civil_minute(m.year(), m.month(), m.day(), h, 0);
    }
    int min = m.minute();
    while (min < 60 && !(spec.minutes >> min & 1u)) ++min;
    if (min == 60) {
      m = cctz::civil_minute(cctz::civil_hour(m) + 1);
      continue;
    }
    m = cctz::civil_minute(m.year(), m.month(), m.day(), m.hour(), min);
    if (cctz::civil_second(m) >= limit) break;
    return cctz::civil_second(m);
  }
  return std::nullopt;
}

}  // namespace chaosrun::scheduler
