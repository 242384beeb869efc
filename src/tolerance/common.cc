// Helpers shared by the tolerance kinds: messages, `target` extraction, list ranges.
#include <string>

#include "jsonpath/python_value.h"
#include "tolerance/kinds.h"

namespace chaosrun::tolerance::internal {

std::string Show(const Json& v, size_t limit) {
  std::string s = DumpCompact(v);
  if (s.size() > limit) {
    s.resize(limit);
    // Do not cut a UTF-8 sequence in half.
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xc0) == 0x80) s.pop_back();
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xc0) s.pop_back();
    s += "...";
  }
  return s;
}

std::string TypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "float";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    default:
      return "binary";
  }
}

Targeted ApplyTarget(const Json& tolerance, const Json& value, MissingTarget missing) {
  Targeted out;
  auto target = tolerance.find("target");
  if (target == tolerance.end() || !Truthy(*target)) {  // Python: `if target:`
    out.value = value;
    return out;
  }
  if (!target->is_string()) {
    return {false, nullptr, "target " + Show(*target) + " is not a string"};
  }
  if (!value.is_object()) {
    if (missing == MissingTarget::kWholeValue) {
      out.value = value;
      return out;
    }
    return {false, nullptr,
            "target \"" + target->get<std::string>() + "\" needs an object output, got " +
                TypeName(value)};
  }
  auto it = value.find(target->get<std::string>());
  if (it != value.end()) {
    out.value = *it;
  } else if (missing == MissingTarget::kWholeValue) {
    out.value = value;
  } else {
    out.value = nullptr;
  }
  return out;
}

Verdict EvaluateListRange(const Json& bounds, const Json& value) {
  // Python's chained `A[0] <= value <= A[1]`: the second comparison only runs if the first holds.
  auto low = jsonpath::PyCompare(bounds[0], value);
  if (!low) {
    return NotMet("cannot compare " + TypeName(bounds[0]) + " lower bound " + Show(bounds[0]) +
                  " with " + TypeName(value) + " value " + Show(value));
  }
  if (!(*low <= 0)) return NotMet("value " + Show(value) + " is below " + Show(bounds[0]));
  auto high = jsonpath::PyCompare(value, bounds[1]);
  if (!high) {
    return NotMet("cannot compare " + TypeName(value) + " value " + Show(value) + " with " +
                  TypeName(bounds[1]) + " upper bound " + Show(bounds[1]));
  }
  if (!(*high <= 0)) return NotMet("value " + Show(value) + " is above " + Show(bounds[1]));
  return Met();
}

}  // namespace chaosrun::tolerance::internal
