#include "scheduler/window.h"

#include <cctype>

namespace chaosrun::scheduler {
namespace {

constexpr const char* kDayNames[] = {"sunday",   "monday", "tuesday", "wednesday",
                                     "thursday", "friday", "saturday"};

std::string LowerWord(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "mon", "Monday", ... -> 0..6 (Sunday = 0); -1 when not a day name.
int WindowDayIndex(const std::string& text) {
  std::string t = LowerWord(text);
  for (int i = 0; i < 7; ++i) {
    std::string full = kDayNames[i];
    if (t == full || t == full.substr(0, 3)) return i;
  }
  return -1;
}

// "HH:MM" -> minutes since midnight; 24:00 only when `allow_24`. -1 when malformed.
int ParseClockTime(const std::string& text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (size_t i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
  }
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59) return -1;
  if (h == 24 && m == 0 && allow_24) return 24 * 60;
  if (h > 23) return -1;
  return h * 60 + m;
}

int WindowWeekday(const cctz::civil_day& d) {
  return (static_cast<int>(cctz::get_weekday(d)) + 1) % 7;
}

bool DayListed(const Window& w, const cctz::civil_day& d) {
  return w.days == 0 || (w.days >> WindowWeekday(d) & 1u);
}

void ParseWindowDays(const Json& days, const std::string& ptr, std::vector<Problem>& problems,
                     Window& out, bool& ok) {
  if (!days.is_array() || days.empty()) {
    problems.push_back({ptr, "expected a non-empty list of days (\"mon\", \"sat-sun\", ...)"});
    ok = false;
    return;
  }
  for (size_t i = 0; i < days.size(); ++i) {
    std::string item_ptr = PointerAppend(ptr, i);
    if (!days[i].is_string()) {
      problems.push_back({item_ptr, "expected a day name such as \"mon\" or a range \"mon-fri\""});
      ok = false;
      continue;
    }
    std::string text = days[i].get<std::string>();
    size_t dash = text.find('-');
    int a = WindowDayIndex(text.substr(0, dash));
    int b = dash == std::string::npos ? a : WindowDayIndex(text.substr(dash + 1));
    if (a < 0 || b < 0) {
      problems.push_back({item_ptr, "\"" + text +
                                        "\" is not a day (sun, mon, tue, wed, thu, fri, sat, "
                                        "full names too) or a range of days (mon-fri)"});
      ok = false;
      continue;
    }
    for (int d = a;; d = (d + 1) % 7) {  // a range may wrap: "fri-mon"
      out.days = static_cast<uint8_t>(out.days | (1u << d));
      if (d == b) break;
    }
  }
}

}  // namespace

bool ParseWindow(const Json& value, const std::string& pointer, std::vector<Problem>& problems,
                 Window& out) {
  out = Window{};
  if (!value.is_object()) {
    problems.push_back({pointer, "expected a window object {\"days\", \"from\", \"to\"}"});
    return false;
  }
  bool ok = true;
  for (const auto& [key, v] : value.items()) {
    if (key != "days" && key != "from" && key != "to") {
      problems.push_back(
          {PointerAppend(pointer, key), "unknown key \"" + key + "\" (expected days, from, to)"});
      ok = false;
    }
  }
  if (value.empty()) {
    problems.push_back({pointer, "a window needs days, from or to"});
    return false;
  }
  if (const Json* days = Member(value, "days")) {
    ParseWindowDays(*days, PointerAppend(pointer, "days"), problems, out, ok);
  }
  for (const char* key : {"from", "to"}) {
    const Json* v = Member(value, key);
    if (v == nullptr) continue;
    bool is_to = key[0] == 't';
    int minutes = v->is_string() ? ParseClockTime(v->get<std::string>(), is_to) : -1;
    if (minutes < 0) {
      problems.push_back({PointerAppend(pointer, key),
                          std::string("expected a local time \"HH:MM\" (00:00-23:59") +
                              (is_to ? ", or 24:00)" : ")")});
      ok = false;
      continue;
    }
    (is_to ? out.to_minute : out.from_minute) = minutes;
  }
  if (ok && out.from_minute == out.to_minute) {
    problems.push_back({PointerAppend(pointer, "to"), "equals from: the window would be empty"});
    ok = false;
  }
  return ok;
}

bool InWindow(const Window& w, const cctz::civil_second& t) {
  cctz::civil_day day(t);
  int sec = t.hour() * 3600 + t.minute() * 60 + t.second();
  int from = w.from_minute * 60;
  int to = w.to_minute * 60;
  if (from < to) return DayListed(w, day) && sec >= from && sec < to;
  // Crosses midnight: the occurrence that started today, or the one that started yesterday.
  return (DayListed(w, day) && sec >= from) || (DayListed(w, day - 1) && sec < to);
}

bool WindowsAllow(const std::vector<Window>& blackouts, const std::vector<Window>& only,
                  const cctz::civil_second& t) {
  for (const Window& w : blackouts) {
    if (InWindow(w, t)) return false;
  }
  if (only.empty()) return true;
  for (const Window& w : only) {
    if (InWindow(w, t)) return true;
  }
  return false;
}

cctz::civil_second NextWindowBoundary(const std::vector<Window>& blackouts,
                                      const std::vector<Window>& only,
                                      const cctz::civil_second& t) {
  cctz::civil_second midnight{cctz::civil_day(t)};
  int now = static_cast<int>(t - midnight);
  int best = 24 * 3600;
  auto consider = [&](int minute) {
    int sec = (minute % (24 * 60)) * 60;
    if (sec > now && sec < best) best = sec;
  };
  for (const auto* list : {&blackouts, &only}) {
    for (const Window& w : *list) {
      consider(w.from_minute);
      consider(w.to_minute);
    }
  }
  return midnight + best;
}

}  // namespace chaosrun::scheduler
