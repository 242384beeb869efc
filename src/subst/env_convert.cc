#include "subst/env_convert.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "parse/loader.h"
#include "parse/python_number.h"
#include "subst/configuration.h"

namespace chaosrun::subst {
namespace {

constexpr const char* kTypeError =
    "variable type can only be: bool, str, int, float, bytes or json";

enum class Kind { kStr, kInt, kFloat, kBytes, kBool, kJson, kUnknown };

Kind KindOf(const std::string& type) {
  if (type == "str" || type == "string") return Kind::kStr;
  if (type == "int" || type == "integer") return Kind::kInt;
  if (type == "float" || type == "number") return Kind::kFloat;
  if (type == "bytes") return Kind::kBytes;
  if (type == "bool") return Kind::kBool;
  if (type == "json") return Kind::kJson;
  return Kind::kUnknown;
}

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  return s;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& key) -> std::optional<std::string> {
    if (key.empty() || key.find_first_of(std::string("=\0", 2)) != std::string::npos) {
      return std::nullopt;
    }
    const char* value = std::getenv(key.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Json> ConvertEnvValue(const std::string& text, const std::string& type) {
  switch (KindOf(type)) {
    case Kind::kStr:
    case Kind::kBytes:  // Python makes bytes; as JSON they can only be the same text
      return Json(text);
    case Kind::kInt: {
      auto v = parse::PythonInt(text);
      if (!v) return Err(Status::InvalidArgument(v.error()));
      return std::move(*v);
    }
    case Kind::kFloat: {
      auto v = parse::PythonFloat(text);
      if (!v) return Err(Status::InvalidArgument(v.error()));
      return Json(*v);
    }
    case Kind::kBool: {
      const std::string lower = AsciiLower(text);
      return Json(lower != "false" && lower != "0" && lower != "no");
    }
    case Kind::kJson: {
      if (text.empty()) return Json(text);
      auto v = parse::ParseText(text, parse::DocFormat::kJson, "<json value>");
      if (!v) return Err(Status::InvalidArgument("invalid JSON value: " + v.error().message()));
      return std::move(*v);
    }
    default:
      return Err(Status::InvalidArgument(kTypeError));
  }
}

namespace internal {

Result<Json> ConvertTyped(const Json& value, const Json& type) {
  if (type.is_null()) return value;
  if (!type.is_string()) return Err(Status::InvalidArgument(kTypeError));
  const std::string& name = type.get_ref<const std::string&>();
  const Kind kind = KindOf(name);
  if (kind == Kind::kUnknown) return Err(Status::InvalidArgument(kTypeError));
  if (value.is_string()) return ConvertEnvValue(value.get_ref<const std::string&>(), name);
  if (value.is_null() || kind == Kind::kJson || kind == Kind::kStr) return value;
  const Status cannot =
      Status::InvalidArgument("cannot convert " + DumpCompact(value) + " to " + name);
  switch (kind) {
    case Kind::kInt:
      if (value.is_boolean()) return Json(std::uint64_t{value.get<bool>() ? 1u : 0u});
      if (value.is_number_integer()) return value;
      if (value.is_number_float()) {
        const double d = std::trunc(value.get<double>());
        if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return Err(cannot);
        const auto i = static_cast<std::int64_t>(d);
        return i >= 0 ? Json(static_cast<std::uint64_t>(i)) : Json(i);
      }
      return Err(cannot);
    case Kind::kFloat:
      if (value.is_boolean()) return Json(value.get<bool>() ? 1.0 : 0.0);
      if (value.is_number()) return Json(value.get<double>());
      return Err(cannot);
    case Kind::kBool:
      if (value.is_boolean()) return value;
      return Err(cannot);
    default:  // bytes of a non-string
      return Err(cannot);
  }
}

}  // namespace internal
}  // namespace chaosrun::subst
