#include "common/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>

#include "common/json.h"
#include "common/redact.h"

namespace chaosrun::log {

namespace {

struct State {
  std::mutex mu;
  Options options;
  bool colour = false;
  std::shared_ptr<spdlog::logger> console;
  std::shared_ptr<spdlog::logger> file;
};

State& St() {
  static State s;
  return s;
}

std::shared_ptr<spdlog::logger> MakeConsole() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("chaosrun-console", sink);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  return logger;
}

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
  }
  return "INFO";
}

const char* Colour(Level l) {
  switch (l) {
    case Level::kDebug:
      return "\033[36m";
    case Level::kInfo:
      return "\033[32m";
    case Level::kWarning:
      return "\033[33m";
    case Level::kError:
      return "\033[31m";
  }
  return "";
}

std::string Stamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

void Init(const Options& options) {
  State& s = St();
  std::lock_guard lock(s.mu);
  s.options = options;
  s.colour = options.format == Format::kText && ::isatty(STDERR_FILENO) == 1;
  if (!s.console) s.console = MakeConsole();
  s.file.reset();
  if (!options.file.empty()) {
    try {
      auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, false);
      s.file = std::make_shared<spdlog::logger>("chaosrun-file", sink);
      s.file->set_pattern("%v");
      s.file->set_level(spdlog::level::trace);
      s.file->flush_on(spdlog::level::trace);
    } catch (const std::exception& e) {
      s.console->error("[{} ERROR] cannot open log file {}: {}", Stamp(), options.file, e.what());
    }
  }
}

void Write(Level level, std::string_view message) {
  State& s = St();
  std::string text = Redactor::Global().Redact(message);
  std::lock_guard lock(s.mu);
  if (!s.console) s.console = MakeConsole();
  std::string stamp = Stamp();
  if (!s.options.quiet && level >= s.options.console_level) {
    if (s.options.format == Format::kJson) {
      Json line = Json::object();
      line["ts"] = stamp;
      line["level"] = Name(level);
      line["message"] = text;
      s.console->info("{}", DumpCompact(line));
    } else if (s.colour) {
      s.console->info("[{} {}{}\033[0m] {}", stamp, Colour(level), Name(level), text);
    } else {
      s.console->info("[{} {}] {}", stamp, Name(level), text);
    }
  }
  if (s.file && level >= s.options.file_level) s.file->info("[{} {}] {}", stamp, Name(level), text);
}

}  // namespace chaosrun::log
