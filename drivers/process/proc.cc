#include "process/proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>

namespace chaosrun::drivers::process {

namespace {

std::string PidPath(const std::string& root, int pid, const char* leaf) {
  return root + "/" + std::to_string(pid) + "/" + leaf;
}

template <typename T>
std::optional<T> ParseDecimal(std::string_view s) {
  T value{};
  if (s.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  bool ok = true;
  while (out.size() < max_bytes) {
    size_t want = std::min(sizeof(buf), max_bytes - out.size());
    ssize_t n = ::read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return out;
}

std::optional<ProcStat> ParseStat(std::string_view text) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      open < 2 || text[open - 1] != ' ') {
    return std::nullopt;
  }
  ProcStat s;
  auto pid = ParseDecimal<int>(text.substr(0, open - 1));
  if (!pid || *pid <= 0) return std::nullopt;
  s.pid = *pid;
  s.comm = std::string(text.substr(open + 1, close - open - 1));
  // Fields after the name, separated by single spaces: index 0 is field 3 (state).
  std::vector<std::string_view> fields;
  std::string_view rest = text.substr(close + 1);
  size_t i = 0;
  while (i < rest.size() && fields.size() < 20) {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\n')) ++i;
    size_t j = i;
    while (j < rest.size() && rest[j] != ' ' && rest[j] != '\n') ++j;
    if (j > i) fields.push_back(rest.substr(i, j - i));
    i = j;
  }
  if (fields.size() < 20 || fields[0].size() != 1) return std::nullopt;
  s.state = fields[0][0];
  auto ppid = ParseDecimal<int>(fields[1]);
  auto flags = ParseDecimal<uint64_t>(fields[6]);
  auto start = ParseDecimal<uint64_t>(fields[19]);
  if (!ppid || !flags || !start) return std::nullopt;
  s.ppid = *ppid;
  s.flags = *flags;
  s.start_time = *start;
  return s;
}

std::optional<ProcStat> ReadStat(const std::string& root, int pid) {
  if (pid <= 0) return std::nullopt;
  auto text = ReadSmallFile(PidPath(root, pid, "stat"), 4096);
  if (!text) return std::nullopt;
  auto s = ParseStat(*text);
  if (!s || s->pid != pid) return std::nullopt;
  return s;
}

std::string ReadCmdline(const std::string& root, int pid, size_t max_bytes) {
  auto text = ReadSmallFile(PidPath(root, pid, "cmdline"), max_bytes);
  if (!text) return {};
  std::string s = std::move(*text);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

std::optional<int> ReadTgid(const std::string& root, int pid) {
  auto text = ReadSmallFile(PidPath(root, pid, "status"), 16384);
  if (!text) return std::nullopt;
  std::string_view t = *text;
  size_t at = t.find("\nTgid:");
  if (at == std::string_view::npos) return std::nullopt;
  size_t b = at + 6;
  while (b < t.size() && (t[b] == ' ' || t[b] == '\t')) ++b;
  size_t e = b;
  while (e < t.size() && t[e] >= '0' && t[e] <= '9') ++e;
  return ParseDecimal<int>(t.substr(b, e - b));
}

std::vector<int> ListPids(const std::string& root) {
  std::vector<int> out;
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    auto pid = ParseDecimal<int>(e->d_name);
    if (pid && *pid > 0) out.push_back(*pid);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<int> ParsePidText(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  auto pid = ParseDecimal<int>(text);
  if (!pid || *pid <= 0) return std::nullopt;
  return pid;
}

std::optional<ProcStat> ReadSameProcess(const std::string& root, int pid, uint64_t start_time) {
  auto s = ReadStat(root, pid);
  if (!s || s->start_time != start_time || HasExited(*s)) return std::nullopt;
  return s;
}

std::string PrintableComm(std::string_view comm) {
  std::string out(comm);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

}  // namespace chaosrun::drivers::process
