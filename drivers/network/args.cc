#include "network/args.h"

#include <cmath>
#include <limits>

namespace chaosrun::drivers::network {

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
