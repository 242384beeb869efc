#include "network/args.h"

#include <cmath>
#include <limits>

namespace chaosrun::drivers::network {

std::string UnknownKey(const json& args, std::initializer_list<const char*> allowed) {
  if (!args.is_object()) return "the arguments must be a JSON object";
  for (const auto& item : args.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || item.key() == a;
    if (!known) return "unknown argument '" + item.key() + "'";
  }
  return {};
}

std::optional<int64_t> IntegerIn(const json& v, int64_t min, int64_t max) {
  int64_t i = 0;
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    i = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    i = v.get<int64_t>();
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || d < -9e15 || d > 9e15) return std::nullopt;
    i = static_cast<int64_t>(d);
  } else {
    return std::nullopt;
  }
  if (i < min || i > max) return std::nullopt;
  return i;
}

std::optional<double> NumberIn(const json& v, double min, double max) {
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max) return std::nullopt;
  return d;
}

std::optional<std::string> StringArg(const json& args, const char* key, std::string* error) {
  if (!args.is_object() || !args.contains(key)) return std::nullopt;
  const json& v = args[key];
  if (!v.is_string() || v.get<std::string>().empty()) {
    *error = std::string(key) + " must be a non-empty string";
    return std::nullopt;
  }
  return v.get<std::string>();
}

bool IsSafeName(const std::string& s, size_t max_len) {
  if (s.empty() || s.size() > max_len || s == "." || s == "..") return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsInterfaceName(const std::string& s) { return IsSafeName(s, 15); }

}  // namespace chaosrun::drivers::network
