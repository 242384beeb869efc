// Python semantics for JSON values, as the reference implementation (Python) compares probe
// outputs, tolerances and JSONPath filter operands:
//   * equality (`==`): int, float and bool compare by exact numeric value (`True == 1 == 1.0`),
//     objects are equal regardless of key order, arrays are order-sensitive, null == null only;
//   * ordering (`<`, `<=`): numbers (bools included) by exact value, strings by code point,
//     arrays lexicographically; anything else is incomparable (Python raises TypeError).
// Pure functions; safe from any thread. Nesting deeper than kMaxDepth compares as unequal /
// incomparable instead of recursing further.
#pragma once

#include <compare>
#include <optional>

#include "common/json.h"

namespace chaosrun::jsonpath {

inline constexpr int kMaxCompareDepth = 2000;

// A JSON number or boolean (Python's numbers.Number for our purposes).
bool IsPyNumber(const Json& v);

// Python `a == b`.
bool PyEquals(const Json& a, const Json& b);

// Python's ordering of a and b; nullopt when Python would raise TypeError.
std::optional<std::partial_ordering> PyCompare(const Json& a, const Json& b);

// Exact comparison of two values for which IsPyNumber() holds.
std::partial_ordering NumericCompare(const Json& a, const Json& b);

}  // namespace chaosrun::jsonpath
