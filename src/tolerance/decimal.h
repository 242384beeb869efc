// Exact decimal numbers for range tolerances, with the semantics of Python's decimal.Decimal as
// the reference uses it (ctk-spec §5.2, §12.19):
//   * from text: Decimal("  0.30 ") — optional surrounding whitespace, sign, digits with an
//     optional point and exponent, `_` between digits, Infinity/Inf/NaN/sNaN in any case;
//   * from a JSON number: integers exactly, floats by their *exact binary value*
//     (Decimal(0.3) == 0.299999999999999988897769753748434595763683319091796875);
//   * comparison is exact; NaN is incomparable (Python raises InvalidOperation).
// Plain values; no allocation beyond the digit string.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace chaosrun::tolerance {

struct Decimal {
  enum class Kind { kFinite, kInfinity, kNaN };
  Kind kind = Kind::kFinite;
  bool negative = false;
  std::string digits;    // significant digits, no leading or trailing zeros; empty means zero
  int64_t exponent = 0;  // value = digits × 10^exponent

  // nullopt when `text` is not a Python decimal literal.
  static std::optional<Decimal> FromString(std::string_view text);
  // nullopt unless `v` is a number or a boolean.
  static std::optional<Decimal> FromJson(const Json& v);
  static Decimal FromDouble(double d);
  static Decimal FromUnsigned(uint64_t magnitude, bool negative);

  // The exact value in plain or scientific notation (for messages and tests).
  std::string ToString() const;
};

// Exact ordering; nullopt when either side is NaN.
std::optional<std::partial_ordering> Compare(const Decimal& a, const Decimal& b);

}  // namespace chaosrun::tolerance
