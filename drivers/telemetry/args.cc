#include "telemetry/args.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace chaosrun::drivers::telemetry {

std::string UrlArg(const json& args, const char* key, const char* fallback, network::Url* out) {
  std::string text = fallback;
  if (args.is_object() && args.contains(key)) {
    if (!args[key].is_string()) return std::string(key) + " must be a string (http://HOST:PORT)";
    text = args[key].get<std::string>();
  }
  std::string error;
  auto url = network::ParseUrl(text, &error);
  if (!url) return std::string(key) + ": " + error;
  *out = *url;
  return "";
}

std::string LabelsArg(const json& args, const char* key, json* out) {
  *out = json::object();
  if (!args.is_object() || !args.contains(key)) return "";
  const json& v = args[key];
  if (!v.is_object()) return std::string(key) + " must be an object of label names to strings";
  for (const auto& [name, value] : v.items()) {
    if (name.empty()) return std::string(key) + ": a label name must not be empty";
    if (!value.is_string()) return std::string(key) + "/" + name + " must be a string";
  }
  *out = v;
  return "";
}

std::string IsoFromUnixMs(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t frac = ms - secs * 1000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d000+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

std::optional<int64_t> UnixMsFromIso(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 ||
      n != 19) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (digits < 3) ms = ms * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) ms *= 10;
  }
  std::string zone = s.substr(i);
  if (zone != "Z" && zone != "+00:00" && zone != "z") return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace chaosrun::drivers::telemetry
