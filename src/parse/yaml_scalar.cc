#include "parse/yaml_scalar.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "parse/python_number.h"

namespace chaosrun::parse::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsDigitOrUnderscore(char c) { return IsDigit(c) || c == '_'; }
bool IsHexOrUnderscore(char c) {
  return IsDigitOrUnderscore(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

template <typename Pred>
bool AllOf(std::string_view s, size_t from, Pred pred) {
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(), pred);
}

size_t SkipSign(std::string_view s) { return !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0; }

// Consumes `[0-9][0-9_]*` at i; returns the end, or npos when no digit starts there.
size_t DigitRun(std::string_view s, size_t i) {
  if (i >= s.size() || !IsDigit(s[i])) return std::string_view::npos;
  ++i;
  while (i < s.size() && IsDigitOrUnderscore(s[i])) ++i;
  return i;
}

// Consumes `(:[0-5]?[0-9])+` at i; returns the end, or npos when there is no segment.
size_t SexagesimalTail(std::string_view s, size_t i) {
  size_t segments = 0;
  while (i < s.size() && s[i] == ':') {
    if (i + 1 >= s.size() || !IsDigit(s[i + 1])) return std::string_view::npos;
    const bool two = s[i + 1] <= '5' && i + 2 < s.size() && IsDigit(s[i + 2]);
    i += two ? 3 : 2;
    ++segments;
  }
  return segments > 0 ? i : std::string_view::npos;
}

// `([eE][-+][0-9]+)?` up to the end of s.
bool OptionalExponentToEnd(std::string_view s, size_t i) {
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  if (i + 2 >= s.size() || (s[i + 1] != '+' && s[i + 1] != '-')) return false;
  return AllOf(s, i + 2, IsDigit);
}

std::string RemoveUnderscores(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

std::string NoConstructor(std::string_view tag) {
  return "could not determine a constructor for the tag '" + std::string(tag) + "'";
}

// int(digits, base), falling back to a float beyond 64 bits as nlohmann does for JSON.
std::expected<Json, std::string> IntOrDouble(std::string_view digits, int base, bool negative) {
  auto v = PythonIntBase(digits, base, negative);
  if (v || !v.error().starts_with("integer too large")) return v;
  double d = 0;
  for (char c : digits) {
    const int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    d = d * base + digit;
  }
  return Json(negative ? -d : d);
}

std::expected<Json, std::string> ConstructInt(std::string_view text) {
  std::string v = RemoveUnderscores(text);
  const std::string error = "invalid literal for int(): '" + std::string(text) + "'";
  bool negative = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    negative = v[0] == '-';
    v.erase(0, 1);
  }
  if (v.empty()) return std::unexpected(error);
  if (v == "0") return Json(std::uint64_t{0});
  if (v.starts_with("0b")) return IntOrDouble(std::string_view(v).substr(2), 2, negative);
  if (v.starts_with("0x")) return IntOrDouble(std::string_view(v).substr(2), 16, negative);
  if (v[0] == '0') return IntOrDouble(v, 8, negative);
  if (v.find(':') != std::string::npos) {
    // Base 60: 190:20:30 == 190*3600 + 20*60 + 30.
    double as_double = 0;
    unsigned long long total = 0;
    bool too_big = false;
    size_t start = 0;
    while (start <= v.size()) {
      size_t end = v.find(':', start);
      if (end == std::string::npos) end = v.size();
      auto part = PythonIntBase(std::string_view(v).substr(start, end - start), 10, false);
      if (!part) return std::unexpected(error);
      const auto p = part->get<std::uint64_t>();
      as_double = as_double * 60 + static_cast<double>(p);
      if (total > (std::numeric_limits<unsigned long long>::max() - p) / 60) too_big = true;
      total = total * 60 + p;
      start = end + 1;
    }
    bool overflow = false;
    Json out = IntegerJson(total, negative, &overflow);
    if (too_big || overflow) return Json(negative ? -as_double : as_double);
    return out;
  }
  auto out = PythonInt(v);
  if (!out && out.error().starts_with("integer too large")) return IntOrDouble(v, 10, negative);
  if (!out) return std::unexpected(error);
  if (!negative) return out;
  if (out->is_number_unsigned()) {
    const auto m = out->get<std::uint64_t>();
    bool overflow = false;
    Json neg = IntegerJson(m, true, &overflow);
    if (overflow) return Json(-static_cast<double>(m));
    return neg;
  }
  // "-" followed by text that int() reads as negative ("- -5" with an explicit tag): -(-5).
  const auto m = out->get<std::int64_t>();
  if (m == std::numeric_limits<std::int64_t>::min()) return Json(-static_cast<double>(m));
  return Json(static_cast<std::uint64_t>(-m));
}

std::expected<Json, std::string> ConstructFloat(std::string_view text) {
  std::string v = RemoveUnderscores(text);
  for (char& c : v) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  const std::string error = "could not convert string to float: '" + std::string(text) + "'";
  double sign = 1;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    sign = v[0] == '-' ? -1 : 1;
    v.erase(0, 1);
  }
  if (v.empty()) return std::unexpected(error);
  if (v == ".inf") return Json(sign * std::numeric_limits<double>::infinity());
  if (v == ".nan") return Json(std::numeric_limits<double>::quiet_NaN());
  if (v.find(':') != std::string::npos) {
    double total = 0;
    size_t start = 0;
    while (start <= v.size()) {
      size_t end = v.find(':', start);
      if (end == std::string::npos) end = v.size();
      auto part = PythonFloat(std::string_view(v).substr(start, end - start));
      if (!part) return std::unexpected(error);
      total = total * 60 + *part;
      start = end + 1;
    }
    return Json(sign * total);
  }
  auto d = PythonFloat(v);
  if (!d) return std::unexpected(error);
  return Json(sign * *d);
}

}  // namespace

bool IsYamlNull(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool IsYamlBool(std::string_view s) {
  static constexpr std::array<std::string_view, 18> kBools = {
      "yes",   "Yes",   "YES",   "no", "No", "NO", "true", "True", "TRUE",
      "false", "False", "FALSE", "on", "On", "ON", "off",  "Off",  "OFF"};
  return std::find(kBools.begin(), kBools.end(), s) != kBools.end();
}

bool IsYamlInt(std::string_view s) {
  const size_t i = SkipSign(s);
  const std::string_view r = s.substr(i);
  if (r.empty()) return false;
  if (r.size() > 2 && r.starts_with("0b")) {
    return AllOf(r, 2, [](char c) { return c == '0' || c == '1' || c == '_'; });
  }
  if (r.size() > 2 && r.starts_with("0x")) return AllOf(r, 2, IsHexOrUnderscore);
  if (r[0] == '0') {
    return r.size() == 1 || AllOf(r, 1, [](char c) { return (c >= '0' && c <= '7') || c == '_'; });
  }
  if (r[0] < '1' || r[0] > '9') return false;
  const size_t end = DigitRun(r, 0);
  if (end == r.size()) return true;
  return SexagesimalTail(r, end) == r.size();
}

bool IsYamlFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  if (s.size() > 1 && s[0] == '.' && IsDigit(s[1])) {  // \.[0-9][0-9_]*(exp)?
    size_t i = 2;
    while (i < s.size() && IsDigitOrUnderscore(s[i])) ++i;
    return OptionalExponentToEnd(s, i);
  }
  const size_t i = SkipSign(s);
  const std::string_view r = s.substr(i);
  if (r == ".inf" || r == ".Inf" || r == ".INF") return true;
  const size_t end = DigitRun(r, 0);
  if (end == std::string_view::npos) return false;
  if (end < r.size() && r[end] == '.') {  // [0-9][0-9_]*\.[0-9_]*(exp)?
    size_t j = end + 1;
    while (j < r.size() && IsDigitOrUnderscore(r[j])) ++j;
    return OptionalExponentToEnd(r, j);
  }
  const size_t tail = SexagesimalTail(r, end);  // [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
  if (tail == std::string_view::npos || tail >= r.size() || r[tail] != '.') return false;
  return AllOf(r, tail + 1, IsDigitOrUnderscore);
}

std::expected<Json, std::string> ResolvePlainScalar(std::string_view text) {
  if (IsYamlBool(text)) {
    const char c = text[0];
    const bool value = c == 'y' || c == 'Y' || c == 't' || c == 'T' ||
                       ((c == 'o' || c == 'O') && (text[1] == 'n' || text[1] == 'N'));
    return Json(value);
  }
  if (IsYamlNull(text)) return Json();
  if (IsYamlInt(text)) return ConstructInt(text);
  if (IsYamlFloat(text)) return ConstructFloat(text);
  if (text == "=") return std::unexpected(NoConstructor("tag:yaml.org,2002:value"));
  if (text == "<<") return std::unexpected(NoConstructor("tag:yaml.org,2002:merge"));
  return Json(std::string(text));
}

std::expected<Json, std::string> ConstructTaggedScalar(std::string_view tag,
                                                       std::string_view text) {
  if (!tag.starts_with(kYamlTagPrefix)) return std::unexpected(NoConstructor(tag));
  const std::string_view kind = tag.substr(kYamlTagPrefix.size());
  if (kind == "str" || kind == "timestamp") return Json(std::string(text));
  if (kind == "null") return Json();
  if (kind == "int") return ConstructInt(text);
  if (kind == "float") return ConstructFloat(text);
  if (kind == "bool") {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    if (lower == "yes" || lower == "true" || lower == "on") return Json(true);
    if (lower == "no" || lower == "false" || lower == "off") return Json(false);
    return std::unexpected("invalid boolean: '" + std::string(text) + "'");
  }
  return std::unexpected(NoConstructor(tag));
}

std::expected<std::string, std::string> KeyString(const Json& key) {
  switch (key.type()) {
    case Json::value_t::string:
      return key.get<std::string>();
    case Json::value_t::null:
      return std::string("null");
    case Json::value_t::boolean:
      return std::string(key.get<bool>() ? "true" : "false");
    case Json::value_t::number_float: {
      const double d = key.get<double>();
      if (std::isnan(d)) return std::string("NaN");
      if (std::isinf(d)) return std::string(d > 0 ? "Infinity" : "-Infinity");
      return PythonStr(key);
    }
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return PythonStr(key);
    default:
      return std::unexpected(std::string("found unhashable key"));
  }
}

}  // namespace chaosrun::parse::internal
