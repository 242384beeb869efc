#include "ledger/runner.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace chaosrun::ledger {

namespace {

std::string ReadProcFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Json RunnerIdentity::ToJson() const {
  return Json{{"pid", pid}, {"start", start}, {"boot_id", boot_id}};
}

std::optional<RunnerIdentity> RunnerIdentity::FromJson(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  auto pid = j.find("pid");
  auto start = j.find("start");
  if (pid == j.end() || !pid->is_number_integer() || start == j.end() ||
      !start->is_number_unsigned()) {
    return std::nullopt;
  }
  if (pid->get<int64_t>() <= 0 || pid->get<int64_t>() > INT32_MAX) return std::nullopt;
  RunnerIdentity r;
  r.pid = static_cast<pid_t>(pid->get<int64_t>());
  r.start = start->get<uint64_t>();
  if (auto b = j.find("boot_id"); b != j.end() && b->is_string()) r.boot_id = b->get<std::string>();
  return r;
}

std::optional<uint64_t> ParseStartTime(const std::string& text) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  for (int n = 3; n <= 22; ++n) {
    if (!(rest >> field)) return std::nullopt;
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || ptr != field.data() + field.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> ProcessStartTime(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::string text = ReadProcFile("/proc/" + std::to_string(pid) + "/stat");
  if (text.empty()) return std::nullopt;
  return ParseStartTime(text);
}

std::string CurrentBootId() {
  std::string id = ReadProcFile("/proc/sys/kernel/random/boot_id");
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

RunnerIdentity SelfIdentity() {
  RunnerIdentity r;
  r.pid = ::getpid();
  r.start = ParseStartTime(ReadProcFile("/proc/self/stat")).value_or(0);
  r.boot_id = CurrentBootId();
  return r;
}

bool RunnerAlive(const Json& runner, const std::string& boot_id, const StartTimeOf& start_of) {
  auto r = RunnerIdentity::FromJson(runner);
  if (!r || r->boot_id.empty() || r->boot_id != boot_id) return false;
  std::optional<uint64_t> start = start_of(r->pid);
  return start && *start == r->start;
}

bool RunnerAlive(const Json& runner) {
  return RunnerAlive(runner, CurrentBootId(), ProcessStartTime);
}

}  // namespace chaosrun::ledger
