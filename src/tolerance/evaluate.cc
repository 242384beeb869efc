// Dispatch on the tolerance's JSON type (ctk-spec §5.2) and the scalar/list rules.
#include <exception>
#include <string>

#include "jsonpath/python_value.h"
#include "tolerance/kinds.h"
#include "tolerance/tolerance.h"

namespace chaosrun::tolerance {
namespace {

using internal::Met;
using internal::NotMet;
using internal::Show;
using jsonpath::PyEquals;

bool HasStatus(const Json& value) { return value.is_object() && value.contains("status"); }

Verdict Equal(const Json& value, const Json& expected, const char* what) {
  if (PyEquals(value, expected)) return Met();
  return NotMet(std::string(what) + " " + Show(value) + " is not equal to " + Show(expected));
}

Verdict EvaluateList(const Json& tolerance, const Json& value) {
  if (HasStatus(value)) {
    const Json& status = value["status"];
    for (const Json& allowed : tolerance) {
      if (PyEquals(status, allowed)) return Met();
    }
    return NotMet("status " + Show(status) + " is not one of " + Show(tolerance));
  }
  if (tolerance.size() == 2) return internal::EvaluateListRange(tolerance, value);
  for (const Json& allowed : tolerance) {
    if (PyEquals(value, allowed)) return Met();
  }
  return NotMet("value " + Show(value) + " is not one of " + Show(tolerance));
}

Verdict EvaluateObject(const Json& tolerance, const Json& value, const subst::Scope& scope,
                       const ProbeRunner& probe_runner) {
  auto type = tolerance.find("type");
  std::string name =
      (type != tolerance.end() && type->is_string()) ? type->get<std::string>() : std::string();
  if (name == "probe") return internal::EvaluateProbe(tolerance, value, probe_runner);
  if (name == "regex") return internal::EvaluateRegex(tolerance, value, scope);
  if (name == "jsonpath") return internal::EvaluateJsonPath(tolerance, value, scope);
  if (name == "range") return internal::EvaluateRange(tolerance, value);
  return NotMet("tolerance type " +
                (type == tolerance.end() ? std::string("(missing)") : Show(*type)) +
                " is unsupported");
}

Verdict Dispatch(const Json& tolerance, const Json& value, const subst::Scope& scope,
                 const ProbeRunner& probe_runner) {
  switch (tolerance.type()) {
    case Json::value_t::boolean:
      return Equal(value, tolerance, "value");
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      if (HasStatus(value)) return Equal(value["status"], tolerance, "status");
      return Equal(value, tolerance, "value");
    case Json::value_t::number_float:
      return NotMet("a float tolerance (" + Show(tolerance) + ") is never met");
    case Json::value_t::string:
      return Equal(value, tolerance, "value");
    case Json::value_t::array:
      return EvaluateList(tolerance, value);
    case Json::value_t::object:
      return EvaluateObject(tolerance, value, scope, probe_runner);
    default:
      return NotMet("a tolerance of type " + internal::TypeName(tolerance) + " is never met");
  }
}

}  // namespace

Verdict Evaluate(const Json& tolerance, const Json& value, const subst::Scope& scope,
                 const ProbeRunner& probe_runner) {
  try {
    if (tolerance.is_string()) {
      // String tolerances are substituted first and may become typed ("${expected}" -> 200).
      Json substituted = subst::SubstituteString(tolerance.get_ref<const std::string&>(), scope);
      return Dispatch(substituted, value, scope, probe_runner);
    }
    return Dispatch(tolerance, value, scope, probe_runner);
  } catch (const std::exception& e) {
    return NotMet(std::string("tolerance evaluation failed: ") + e.what());
  }
}

}  // namespace chaosrun::tolerance
