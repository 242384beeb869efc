// Logging: thin functions over spdlog. Every message passes through the global Redactor, so a
// secret value never reaches the console or a log file. Console lines look like the reference's:
// "[2026-11-27 17:21:19 INFO] message" (colour only when stderr is a terminal), or one JSON object
// per line with --log-format json. Everything goes to stderr; stdout is for command output.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace chaosrun::log {

enum class Level { kDebug, kInfo, kWarning, kError };
enum class Format { kText, kJson };

struct Options {
  Level console_level = Level::kInfo;
  Format format = Format::kText;
  std::string file;  // empty: no log file; otherwise appended, from file_level up
  Level file_level = Level::kDebug;
  bool quiet = false;
};

// Safe to call more than once (the last call wins). Without a call, messages go to stderr at info.
void Init(const Options& options);

void Write(Level level, std::string_view message);

template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kWarning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace chaosrun::log
