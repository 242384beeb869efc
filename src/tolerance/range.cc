// `{type: range, range: [lo, hi], target?}`: lo <= Decimal(value) <= hi, exactly (§5.2, §12.19).
#include <string>

#include "tolerance/decimal.h"
#include "tolerance/kinds.h"

namespace chaosrun::tolerance::internal {
namespace {

std::optional<Decimal> ValueAsDecimal(const Json& value, std::string* reason) {
  if (value.is_string()) {
    auto d = Decimal::FromString(value.get_ref<const std::string&>());
    if (!d) *reason = "value " + Show(value) + " is not a number";
    return d;
  }
  auto d = Decimal::FromJson(value);
  if (!d) *reason = "a range needs a number or a numeric string, got " + TypeName(value);
  return d;
}

}  // namespace

Verdict EvaluateRange(const Json& tolerance, const Json& output) {
  auto range = tolerance.find("range");
  if (range == tolerance.end() || !range->is_array() || range->size() != 2) {
    return NotMet("a range tolerance needs `range`: a list of two numbers");
  }
  auto lo = Decimal::FromJson((*range)[0]);
  auto hi = Decimal::FromJson((*range)[1]);
  if (!lo || !hi) return NotMet("range bounds must be numbers, got " + Show(*range));
  Targeted targeted = ApplyTarget(tolerance, output, MissingTarget::kNull);
  if (!targeted.ok) return NotMet(targeted.reason);
  std::string reason;
  auto value = ValueAsDecimal(targeted.value, &reason);
  if (!value) return NotMet(reason);
  auto low = Compare(*lo, *value);
  auto high = Compare(*value, *hi);
  if (!low || !high) return NotMet("value " + Show(targeted.value) + " is not comparable (NaN)");
  if (*low > 0 || *high > 0) {
    return NotMet("value " + Show(targeted.value) + " is outside the range [" + lo->ToString() +
                  ", " + hi->ToString() + "]");
  }
  return Met();
}

}  // namespace chaosrun::tolerance::internal
