#include "tolerance/decimal.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

namespace chaosrun::tolerance {
namespace {

constexpr int64_t kExponentCap = 1'000'000'000'000'000;  // beyond any digit count we can hold

// Removes leading and trailing zeros, moving trailing ones into the exponent.
void Normalize(Decimal* d) {
  size_t first = d->digits.find_first_not_of('0');
  if (first == std::string::npos) {
    d->digits.clear();
    d->exponent = 0;
    return;
  }
  d->digits.erase(0, first);
  size_t last = d->digits.find_last_not_of('0');
  d->exponent += static_cast<int64_t>(d->digits.size() - 1 - last);
  d->digits.erase(last + 1);
}

// A non-negative integer in base 10^9, least significant limb first.
class BigUnsigned {
 public:
  explicit BigUnsigned(uint64_t v) {
    do {
      limbs_.push_back(static_cast<uint32_t>(v % kBase));
      v /= kBase;
    } while (v != 0);
  }
  void Multiply(uint32_t factor) {
    uint64_t carry = 0;
    for (uint32_t& limb : limbs_) {
      uint64_t x = static_cast<uint64_t>(limb) * factor + carry;
      limb = static_cast<uint32_t>(x % kBase);
      carry = x / kBase;
    }
    while (carry != 0) {
      limbs_.push_back(static_cast<uint32_t>(carry % kBase));
      carry /= kBase;
    }
  }
  std::string ToString() const {
    std::string out = std::to_string(limbs_.back());
    for (size_t i = limbs_.size() - 1; i-- > 0;) {
      std::string part = std::to_string(limbs_[i]);
      out += std::string(9 - part.size(), '0') + part;
    }
    return out;
  }

 private:
  static constexpr uint64_t kBase = 1'000'000'000;
  std::vector<uint32_t> limbs_;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads digits with single underscores between them; false if none or misplaced '_'.
bool ReadDigits(std::string_view s, size_t* i, std::string* out) {
  size_t start = *i;
  while (*i < s.size()) {
    if (IsDigit(s[*i])) {
      out->push_back(s[*i]);
      ++*i;
    } else if (s[*i] == '_' && *i > start && IsDigit(s[*i - 1]) && *i + 1 < s.size() &&
               IsDigit(s[*i + 1])) {
      ++*i;
    } else {
      break;
    }
  }
  return *i > start;
}

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

}  // namespace

std::optional<Decimal> Decimal::FromString(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  Decimal d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) d.negative = s[i++] == '-';
  std::string_view rest = s.substr(i);
  if (EqualsIgnoreCase(rest, "inf") || EqualsIgnoreCase(rest, "infinity")) {
    d.kind = Kind::kInfinity;
    return d;
  }
  for (std::string_view nan : {"nan", "snan"}) {
    if (rest.size() >= nan.size() && EqualsIgnoreCase(rest.substr(0, nan.size()), nan)) {
      std::string payload;
      size_t j = nan.size();
      if (j == rest.size() || (ReadDigits(rest, &j, &payload) && j == rest.size())) {
        d.kind = Kind::kNaN;
        return d;
      }
      return std::nullopt;
    }
  }
  bool int_digits = ReadDigits(s, &i, &d.digits);
  bool frac_digits = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t before = d.digits.size();
    frac_digits = ReadDigits(s, &i, &d.digits);
    d.exponent = -static_cast<int64_t>(d.digits.size() - before);
  }
  if (!int_digits && !frac_digits) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    std::string exp_digits;
    if (!ReadDigits(s, &i, &exp_digits)) return std::nullopt;
    int64_t e = 0;
    for (char c : exp_digits) e = std::min(kExponentCap, e * 10 + (c - '0'));
    d.exponent += exp_negative ? -e : e;
  }
  if (i != s.size()) return std::nullopt;
  Normalize(&d);
  return d;
}

Decimal Decimal::FromUnsigned(uint64_t magnitude, bool negative) {
  Decimal d;
  d.negative = negative;
  d.digits = std::to_string(magnitude);
  Normalize(&d);
  return d;
}

Decimal Decimal::FromDouble(double v) {
  Decimal d;
  d.negative = std::signbit(v);
  if (std::isnan(v)) {
    d.kind = Kind::kNaN;
    return d;
  }
  if (std::isinf(v)) {
    d.kind = Kind::kInfinity;
    return d;
  }
  int exp2 = 0;
  double fraction = std::frexp(std::fabs(v), &exp2);  // |v| = fraction × 2^exp2, 0.5 ≤ f < 1
  auto mantissa = static_cast<uint64_t>(std::ldexp(fraction, 53));
  exp2 -= 53;  // |v| = mantissa × 2^exp2 exactly
  BigUnsigned n(mantissa);
  if (exp2 >= 0) {
    for (; exp2 >= 29; exp2 -= 29) n.Multiply(1u << 29);
    n.Multiply(1u << exp2);
  } else {
    // mantissa × 2^-k = mantissa × 5^k × 10^-k
    int k = -exp2;
    d.exponent = -k;
    for (; k >= 13; k -= 13) n.Multiply(1220703125u);  // 5^13
    uint32_t rest = 1;
    for (; k > 0; --k) rest *= 5;
    n.Multiply(rest);
  }
  d.digits = n.ToString();
  Normalize(&d);
  return d;
}

std::optional<Decimal> Decimal::FromJson(const Json& v) {
  if (v.is_boolean()) return FromUnsigned(v.get<bool>() ? 1 : 0, false);
  if (v.is_number_unsigned()) return FromUnsigned(v.get<uint64_t>(), false);
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    uint64_t magnitude = i < 0 ? static_cast<uint64_t>(-(i + 1)) + 1 : static_cast<uint64_t>(i);
    return FromUnsigned(magnitude, i < 0);
  }
  if (v.is_number_float()) return FromDouble(v.get<double>());
  return std::nullopt;
}

std::string Decimal::ToString() const {
  std::string sign = negative ? "-" : "";
  if (kind == Kind::kNaN) return "NaN";
  if (kind == Kind::kInfinity) return sign + "Infinity";
  if (digits.empty()) return "0";
  if (exponent >= 0 && exponent <= 30) return sign + digits + std::string(exponent, '0');
  auto size = static_cast<int64_t>(digits.size());
  if (exponent < 0 && -exponent < size) {
    return sign + digits.substr(0, size + exponent) + "." + digits.substr(size + exponent);
  }
  if (exponent < 0 && -exponent - size <= 30) {
    return sign + "0." + std::string(-exponent - size, '0') + digits;
  }
  return sign + digits + "E" + std::to_string(exponent);
}

std::optional<std::partial_ordering> Compare(const Decimal& a, const Decimal& b) {
  using Kind = Decimal::Kind;
  if (a.kind == Kind::kNaN || b.kind == Kind::kNaN) return std::nullopt;
  // Signed rank: -inf < negative < zero < positive < +inf.
  auto rank = [](const Decimal& d) {
    if (d.kind == Kind::kInfinity) return d.negative ? -2 : 2;
    if (d.digits.empty()) return 0;
    return d.negative ? -1 : 1;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb || ra == 0 || ra == 2 || ra == -2) return ra <=> rb;
  // Same sign, both finite and non-zero: compare magnitudes.
  auto adjusted_a = static_cast<int64_t>(a.digits.size()) + a.exponent;
  auto adjusted_b = static_cast<int64_t>(b.digits.size()) + b.exponent;
  std::strong_ordering m = adjusted_a <=> adjusted_b;
  if (m == 0) {
    int c = a.digits.compare(b.digits);  // normalized: lexicographic order is numeric order
    m = c <=> 0;
  }
  return ra < 0 ? 0 <=> m : m <=> 0;
}

}  // namespace chaosrun::tolerance
