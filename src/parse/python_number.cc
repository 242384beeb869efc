#include "parse/python_number.h"

#include <locale.h>
#include <stdlib.h>

#include <cctype>
#include <cstdint>
#include <limits>

namespace chaosrun::parse {
namespace {

bool IsPySpace(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == ' ' || (u >= 0x09 && u <= 0x0D) || (u >= 0x1C && u <= 0x1F);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Digits with single underscores strictly between digits; appends the digits to `out`.
// Returns the number of characters consumed (0 when no digit starts at s[i]).
size_t ScanDigitPart(std::string_view s, size_t i, std::string* out) {
  const size_t start = i;
  if (i >= s.size() || !IsDigit(s[i])) return 0;
  while (i < s.size()) {
    if (IsDigit(s[i])) {
      out->push_back(s[i]);
      ++i;
    } else if (s[i] == '_' && i + 1 < s.size() && IsDigit(s[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  return i - start;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  out += text;
  out += "'";
  return out;
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

}  // namespace

Json IntegerJson(unsigned long long magnitude, bool negative, bool* overflow) {
  *overflow = false;
  if (!negative) return Json(static_cast<std::uint64_t>(magnitude));
  constexpr auto kMinMagnitude =
      static_cast<unsigned long long>(std::numeric_limits<int64_t>::max()) + 1;
  if (magnitude > kMinMagnitude) {
    *overflow = true;
    return Json();
  }
  if (magnitude == kMinMagnitude) return Json(std::numeric_limits<int64_t>::min());
  return Json(-static_cast<int64_t>(magnitude));
}

std::expected<Json, std::string> PythonIntBase(std::string_view digits, int base, bool negative) {
  const std::string error =
      "invalid literal for int() with base " + std::to_string(base) + ": " + Quote(digits);
  if (digits.empty()) return std::unexpected(error);
  unsigned long long magnitude = 0;
  for (char c : digits) {
    const int d = DigitValue(c);
    if (d >= base) return std::unexpected(error);
    if (magnitude > (std::numeric_limits<unsigned long long>::max() - static_cast<unsigned>(d)) /
                        static_cast<unsigned>(base)) {
      return std::unexpected("integer too large (beyond 64 bits): " + Quote(digits));
    }
    magnitude = magnitude * static_cast<unsigned>(base) + static_cast<unsigned>(d);
  }
  bool overflow = false;
  Json out = IntegerJson(magnitude, negative, &overflow);
  if (overflow) return std::unexpected("integer too large (beyond 64 bits): " + Quote(digits));
  return out;
}

std::expected<Json, std::string> PythonInt(std::string_view text) {
  const std::string error = "invalid literal for int() with base 10: " + Quote(text);
  std::string_view s = PyStrip(text);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  if (ScanDigitPart(s, 0, &digits) != s.size()) return std::unexpected(error);
  auto out = PythonIntBase(digits, 10, negative);
  if (!out)
    return std::unexpected(out.error().starts_with("integer too large") ? out.error() : error);
  return out;
}

std::expected<double, std::string> PythonFloat(std::string_view text) {
  const std::string error = "could not convert string to float: " + Quote(text);
  std::string_view s = PyStrip(text);
  std::string clean;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    clean.push_back(s.front());
    s.remove_prefix(1);
  }
  std::string lower;
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "inf" || lower == "infinity" || lower == "nan") {
    clean += lower;
  } else {
    // digitpart ["." [digitpart]] | "." digitpart, then [("e"|"E") [sign] digitpart]
    size_t i = ScanDigitPart(s, 0, &clean);
    const bool int_part = i > 0;
    bool frac_part = false;
    if (i < s.size() && s[i] == '.') {
      clean.push_back('.');
      ++i;
      const size_t n = ScanDigitPart(s, i, &clean);
      frac_part = n > 0;
      i += n;
    }
    if (!int_part && !frac_part) return std::unexpected(error);
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      clean.push_back('e');
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean.push_back(s[i++]);
      const size_t n = ScanDigitPart(s, i, &clean);
      if (n == 0) return std::unexpected(error);
      i += n;
    }
    if (i != s.size()) return std::unexpected(error);
  }
  // strtod in the "C" locale: the grammar above is already Python's, and strtod gives the
  // correctly rounded value with +-inf on overflow and 0 on underflow.
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  if (c_locale == static_cast<locale_t>(nullptr)) return std::unexpected(error);
  return strtod_l(clean.c_str(), nullptr, c_locale);
}

std::string_view PyStrip(std::string_view s) {
  while (!s.empty() && IsPySpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsPySpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace chaosrun::parse
