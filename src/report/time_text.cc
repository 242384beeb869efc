#include "report/time_text.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace chaosrun::report {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool Digits(size_t n, int& out) {
    if (i + n > s.size()) return false;
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    i += n;
    out = v;
    return true;
  }
  bool Take(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
};

}  // namespace

std::optional<double> ParseIsoTime(std::string_view text) {
  Cursor c{text};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!c.Digits(4, year) || !c.Take('-') || !c.Digits(2, month) || !c.Take('-') ||
      !c.Digits(2, day)) {
    return std::nullopt;
  }
  if (!c.Take('T') && !c.Take(' ')) return std::nullopt;
  if (!c.Digits(2, hour) || !c.Take(':') || !c.Digits(2, minute) || !c.Take(':') ||
      !c.Digits(2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  double fraction = 0;
  if (c.Take('.')) {
    double scale = 0.1;
    size_t digits = 0;
    while (c.i < text.size() && text[c.i] >= '0' && text[c.i] <= '9') {
      fraction += (text[c.i] - '0') * scale;
      scale /= 10;
      ++c.i;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  int offset_minutes = 0;
  if (c.Take('Z') || c.Take('z')) {
  } else if (c.i < text.size() && (text[c.i] == '+' || text[c.i] == '-')) {
    int sign = text[c.i] == '-' ? -1 : 1;
    ++c.i;
    int oh = 0, om = 0;
    if (!c.Digits(2, oh)) return std::nullopt;
    c.Take(':');
    if (!c.Digits(2, om)) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  }
  if (c.i != text.size()) return std::nullopt;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  double t = static_cast<double>(days * 86400 + hour * 3600 + minute * 60 + second) + fraction;
  return t - offset_minutes * 60.0;
}

std::string FormatDuration(double seconds) {
  char buf[64];
  if (!std::isfinite(seconds)) return "—";
  if (seconds < 0) return "-" + FormatDuration(-seconds);
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.0f ms", seconds * 1000);
  } else if (seconds < 10) {
    std::snprintf(buf, sizeof buf, "%.2f s", seconds);
  } else if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (seconds < 3600) {
    long s = std::lround(seconds);
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  } else {
    long m = std::lround(seconds / 60);
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", m / 60, m % 60);
  }
  return buf;
}

std::string FormatUtc(double epoch_seconds) {
  if (!std::isfinite(epoch_seconds)) return "—";
  int64_t t = static_cast<int64_t>(std::floor(epoch_seconds));
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t rem = t - days * 86400;
  // civil_from_days (H. Hinnant).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld UTC",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60));
  return buf;
}

}  // namespace chaosrun::report
