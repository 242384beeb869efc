#include "jsonpath/python_value.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace chaosrun::jsonpath {
namespace {

// An integer as sign and magnitude, so int64 and uint64 values compare without overflow.
struct BigInt {
  bool negative = false;
  uint64_t magnitude = 0;
};

BigInt ToBigInt(const Json& v) {
  if (v.is_boolean()) return {false, v.get<bool>() ? 1u : 0u};
  if (v.is_number_unsigned()) return {false, v.get<uint64_t>()};
  int64_t i = v.get<int64_t>();
  if (i >= 0) return {false, static_cast<uint64_t>(i)};
  return {true, static_cast<uint64_t>(-(i + 1)) + 1};
}

std::partial_ordering Invert(std::partial_ordering o) {
  if (o == std::partial_ordering::less) return std::partial_ordering::greater;
  if (o == std::partial_ordering::greater) return std::partial_ordering::less;
  return o;
}

std::partial_ordering CompareInts(BigInt a, BigInt b) {
  if (a.magnitude == 0) a.negative = false;
  if (b.magnitude == 0) b.negative = false;
  if (a.negative != b.negative) {
    return a.negative ? std::partial_ordering::less : std::partial_ordering::greater;
  }
  std::partial_ordering m = a.magnitude <=> b.magnitude;
  return a.negative ? Invert(m) : m;
}

// Exact comparison of an integer with a double (Python compares int and float exactly).
std::partial_ordering CompareIntDouble(BigInt a, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  if (a.magnitude == 0) return 0.0 <=> d;
  bool d_negative = d < 0;
  if (a.negative != d_negative) {
    return a.negative ? std::partial_ordering::less : std::partial_ordering::greater;
  }
  double ad = std::fabs(d);
  std::partial_ordering m = std::partial_ordering::equivalent;
  if (ad >= 18446744073709551616.0) {  // 2^64: beyond any magnitude we hold
    m = std::partial_ordering::less;
  } else {
    double whole = std::trunc(ad);
    auto t = static_cast<uint64_t>(whole);
    if (a.magnitude != t) {
      m = a.magnitude <=> t;
    } else {
      m = (ad > whole) ? std::partial_ordering::less : std::partial_ordering::equivalent;
    }
  }
  return a.negative ? Invert(m) : m;
}

bool Equals(const Json& a, const Json& b, int depth);

bool ArrayEquals(const Json& a, const Json& b, int depth) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Equals(a[i], b[i], depth + 1)) return false;
  }
  return true;
}

bool ObjectEquals(const Json& a, const Json& b, int depth) {
  if (a.size() != b.size()) return false;
  for (auto it = a.begin(); it != a.end(); ++it) {
    auto other = b.find(it.key());
    if (other == b.end() || !Equals(it.value(), *other, depth + 1)) return false;
  }
  return true;
}

bool Equals(const Json& a, const Json& b, int depth) {
  if (depth > kMaxCompareDepth) return false;
  if (IsPyNumber(a) && IsPyNumber(b)) return NumericCompare(a, b) == 0;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::null:
      return true;
    case Json::value_t::string:
      return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    case Json::value_t::array:
      return ArrayEquals(a, b, depth);
    case Json::value_t::object:
      return ObjectEquals(a, b, depth);
    case Json::value_t::binary:
      return a == b;
    default:
      return false;
  }
}

std::optional<std::partial_ordering> Compare(const Json& a, const Json& b, int depth) {
  if (depth > kMaxCompareDepth) return std::nullopt;
  if (IsPyNumber(a) && IsPyNumber(b)) return NumericCompare(a, b);
  if (a.is_string() && b.is_string()) {
    // UTF-8 byte order is code point order.
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c <=> 0;
  }
  if (a.is_array() && b.is_array()) {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (Equals(a[i], b[i], depth + 1)) continue;
      return Compare(a[i], b[i], depth + 1);
    }
    return a.size() <=> b.size();
  }
  return std::nullopt;
}

}  // namespace

bool IsPyNumber(const Json& v) { return v.is_number() || v.is_boolean(); }

std::partial_ordering NumericCompare(const Json& a, const Json& b) {
  bool a_float = a.is_number_float();
  bool b_float = b.is_number_float();
  if (a_float && b_float) return a.get<double>() <=> b.get<double>();
  if (a_float) return Invert(CompareIntDouble(ToBigInt(b), a.get<double>()));
  if (b_float) return CompareIntDouble(ToBigInt(a), b.get<double>());
  return CompareInts(ToBigInt(a), ToBigInt(b));
}

bool PyEquals(const Json& a, const Json& b) { return Equals(a, b, 0); }

std::optional<std::partial_ordering> PyCompare(const Json& a, const Json& b) {
  return Compare(a, b, 0);
}

}  // namespace chaosrun::jsonpath
