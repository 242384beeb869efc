// A hypothesis probe's tolerance (ctk-spec §5.1). Regex patterns and JSON paths are compiled with
// the engines the run uses; one that needs `${}` substitution is checked after substituting with
// the resolved configuration and secrets, or skipped while it still holds a placeholder.
#include "tolerance/tolerance.h"

#include <string>

#include "jsonpath/jsonpath.h"
#include "validate/internal.h"

namespace chaosrun::validate::internal {
namespace {

// The keys of each kind of tolerance object.
constexpr std::string_view kRegexKeys[] = {"type", "pattern", "target"};
constexpr std::string_view kJsonPathKeys[] = {"type", "path", "count", "expect", "target"};
constexpr std::string_view kRangeKeys[] = {"type", "range", "target"};

void CheckTarget(Context& ctx, const Json& tolerance, const std::string& pointer) {
  const Json* target = Member(tolerance, "target");
  if (target != nullptr && !target->is_null() && !target->is_string()) {
    ctx.Error(PointerAppend(pointer, "target"), "tolerance target must be a string");
  }
}

void CheckRegexTolerance(Context& ctx, const Json& tolerance, const std::string& pointer) {
  CheckTarget(ctx, tolerance, pointer);
  const std::string ptr = PointerAppend(pointer, "pattern");
  const Json* pattern = Member(tolerance, "pattern");
  if (pattern == nullptr) {
    ctx.Error(ptr, "hypothesis regex probe tolerance must have a `pattern` key");
    return;
  }
  if (!pattern->is_string()) {
    ctx.Error(ptr,
              "hypothesis probe tolerance pattern " + PythonStr(*pattern) + " has an invalid type");
    return;
  }
  auto text = SubstituteForCheck(ctx, pattern->get<std::string>());
  if (!text) return;  // depends on a value we cannot know yet
  if (Status s = tolerance::CheckRegex(*text); !s.ok()) {
    ctx.Error(ptr,
              "hypothesis probe tolerance pattern " + *text + " seems invalid: " + s.message());
  }
}

std::string Strip(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  const size_t first = s.find_first_not_of(ws);
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

void CheckJsonPathTolerance(Context& ctx, const Json& tolerance, const std::string& pointer) {
  CheckTarget(ctx, tolerance, pointer);
  const std::string ptr = PointerAppend(pointer, "path");
  const Json* path = Member(tolerance, "path");
  if (path == nullptr) {
    ctx.Error(ptr, "hypothesis jsonpath probe tolerance must have a `path` key");
  } else if (!path->is_string()) {
    ctx.Error(ptr,
              "hypothesis probe tolerance JSON path " + PythonStr(*path) + " has an invalid type");
  } else if (const std::string stripped = Strip(path->get<std::string>()); stripped.empty()) {
    ctx.Error(ptr, "hypothesis probe tolerance JSON path cannot be empty");
  } else if (auto text = SubstituteForCheck(ctx, stripped)) {
    auto compiled = jsonpath::JsonPath::Compile(*text);
    if (!compiled) {
      ctx.Error(ptr, "hypothesis probe tolerance JSON path " + *text +
                         " is invalid: " + compiled.error().message());
    }
  }
  const Json* count = Member(tolerance, "count");
  if (count != nullptr && !count->is_null() &&
      !(count->is_number_unsigned() ||
        (count->is_number_integer() && count->get<int64_t>() >= 0))) {
    ctx.Error(PointerAppend(pointer, "count"),
              "jsonpath tolerance count must be a non-negative integer");
  }
}

void CheckRangeTolerance(Context& ctx, const Json& tolerance, const std::string& pointer) {
  CheckTarget(ctx, tolerance, pointer);
  const std::string ptr = PointerAppend(pointer, "range");
  const Json* range = Member(tolerance, "range");
  if (range == nullptr) {
    ctx.Error(ptr, "hypothesis range probe tolerance must have a `range` key");
    return;
  }
  if (!range->is_array()) {
    ctx.Error(ptr, "hypothesis range must be a sequence");
    return;
  }
  if (range->size() != 2) {
    ctx.Error(ptr, "hypothesis range sequence must be made of two values");
    return;
  }
  if (!IsPythonNumber((*range)[0])) {
    ctx.Error(PointerAppend(ptr, size_t{0}), "hypothesis range lower boundary must be a number");
  }
  if (!IsPythonNumber((*range)[1])) {
    ctx.Error(PointerAppend(ptr, size_t{1}), "hypothesis range upper boundary must be a number");
  }
}

}  // namespace

void CheckTolerance(Context& ctx, const Json& tolerance, const std::string& pointer) {
  const bool allowed = tolerance.is_boolean() || tolerance.is_number_integer() ||
                       tolerance.is_array() || tolerance.is_string() || tolerance.is_object();
  if (!allowed) {
    ctx.Error(pointer,
              "hypothesis probe tolerance must either be an integer, a string, a boolean or a "
              "pair of values for boundaries. It can also be a dictionary which is a probe "
              "activity definition that takes an argument called `value` with the value of the "
              "probe itself to be validated");
    return;
  }
  if (!tolerance.is_object()) return;
  const Json* type = Member(tolerance, "type");
  const std::string kind = type != nullptr && type->is_string() ? type->get<std::string>() : "";
  if (kind == "probe") {
    CheckActivity(ctx, tolerance, pointer, Place::kToleranceProbe);
  } else if (kind == "regex") {
    CheckLikelyTypos(ctx, tolerance, pointer, kRegexKeys);
    CheckRegexTolerance(ctx, tolerance, pointer);
  } else if (kind == "jsonpath") {
    CheckLikelyTypos(ctx, tolerance, pointer, kJsonPathKeys);
    CheckJsonPathTolerance(ctx, tolerance, pointer);
  } else if (kind == "range") {
    CheckLikelyTypos(ctx, tolerance, pointer, kRangeKeys);
    CheckRangeTolerance(ctx, tolerance, pointer);
  } else {
    ctx.Error(PointerAppend(pointer, "type"), "hypothesis probe tolerance type '" +
                                                  (type ? PythonStr(*type) : "None") +
                                                  "' is unsupported");
  }
}

}  // namespace chaosrun::validate::internal
