#include "process/selector.h"

#include <algorithm>
#include <regex>

#include "process/spawn.h"

namespace chaosrun::drivers::process {

namespace {

bool ValidUnitName(const std::string& u) {
  if (u.empty() || u.size() > 256 || u.front() == '-') return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '.' || c == '@' || c == '-' || c == '\\';
  });
}

std::optional<int> PidOf(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u < 1 || u > 0x7fffffff) return std::nullopt;
    return static_cast<int>(u);
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i < 1 || i > 0x7fffffff) return std::nullopt;
    return static_cast<int>(i);
  }
  return std::nullopt;
}

// libstdc++'s default matcher backtracks: "(a*)*b" takes exponential time and deep recursion
// on a few dozen characters. Its polynomial mode (a breadth-first matcher, no recursion; it
// refuses back-references) bounds a search to roughly subject length squared times pattern size.
std::regex Compile(const std::string& pattern) {
  auto flags = std::regex::ECMAScript | std::regex::nosubs;
#ifdef __GLIBCXX__
  flags |= std::regex_constants::__polynomial;
#endif
  std::regex re(pattern, flags);
  (void)std::regex_search(std::string(), re);  // throws now for what polynomial mode refuses
  return re;
}

std::vector<ProcStat> FromPids(const std::vector<int>& pids, const std::string& root) {
  std::vector<ProcStat> out;
  for (int pid : pids) {
    if (auto s = ReadLiveProcess(root, pid)) out.push_back(std::move(*s));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a.pid == b.pid; }),
            out.end());
  return out;
}

}  // namespace

nlohmann::json Selector::ToJson() const {
  const char* key = kSelectorKeys[static_cast<int>(kind)];
  if (kind == SelectorKind::kPids) return nlohmann::json{{key, pids}};
  return nlohmann::json{{key, value}};
}

std::string Selector::Describe() const {
  std::string key = kSelectorKeys[static_cast<int>(kind)];
  if (kind != SelectorKind::kPids) return key + " " + nlohmann::json(value).dump();
  return key + " " + nlohmann::json(pids).dump();
}

std::string ParseSelector(const nlohmann::json& args, Selector* out) {
  if (!args.is_object()) return "the arguments must be a JSON object";
  std::vector<std::string> present;
  for (const char* k : kSelectorKeys) {
    if (args.contains(k)) present.emplace_back(k);
  }
  if (present.size() != 1) {
    std::string msg = present.empty() ? "no selector: give exactly one of "
                                      : "several selectors: give exactly one of ";
    return msg + "pids, pidfile, name, cmdline, unit";
  }
  const std::string& key = present[0];
  const nlohmann::json& v = args[key];
  Selector s;
  if (key == "pids") {
    s.kind = SelectorKind::kPids;
    if (!v.is_array() || v.empty() || v.size() > kMaxPids) {
      return "pids must be a non-empty list of at most " + std::to_string(kMaxPids) + " pids";
    }
    for (const auto& p : v) {
      auto pid = PidOf(p);
      if (!pid) return "pids must hold positive integers, not " + p.dump();
      s.pids.push_back(*pid);
    }
    *out = std::move(s);
    return {};
  }
  if (!v.is_string() || v.get<std::string>().empty()) return key + " must be a non-empty string";
  s.value = v.get<std::string>();
  if (key == "pidfile") {
    s.kind = SelectorKind::kPidfile;
  } else if (key == "name") {
    s.kind = SelectorKind::kName;
    if (s.value.size() > kMaxNameBytes) {
      return "name must be at most 15 bytes: the kernel truncates process names (/proc/PID/comm)"
             " to 15, so \"" +
             s.value + "\" can never match; use cmdline instead";
    }
  } else if (key == "cmdline") {
    s.kind = SelectorKind::kCmdline;
    if (s.value.size() > kMaxPatternBytes) return "cmdline pattern is longer than 1024 bytes";
    try {
      (void)Compile(s.value);
    } catch (const std::exception& e) {
      return "cmdline is not a valid regular expression: " + std::string(e.what());
    }
  } else {
    s.kind = SelectorKind::kUnit;
    if (!ValidUnitName(s.value)) return "unit is not a valid systemd unit name: " + s.value;
  }
  *out = std::move(s);
  return {};
}

std::optional<ProcStat> ReadLiveProcess(const std::string& root, int pid) {
  auto s = ReadStat(root, pid);
  if (!s || HasExited(*s) || IsKernelThread(*s)) return std::nullopt;
  auto tgid = ReadTgid(root, pid);
  if (tgid && *tgid != pid) return std::nullopt;  // a thread id, not a process
  return s;
}

int UnitMainPid(const std::string& unit, const Env& env, std::string* error) {
  CaptureResult r = RunCapture({"systemctl", "show", "-p", "MainPID", "--value", unit},
                               std::chrono::seconds(15), env.cancelled);
  if (!r.Succeeded()) {
    *error = "systemctl show " + unit + " failed: " + r.Describe();
    return 0;
  }
  auto pid = ParsePidText(r.out);
  std::string trimmed = r.out;
  trimmed.erase(std::remove_if(trimmed.begin(), trimmed.end(),
                               [](char c) { return c == '\n' || c == ' ' || c == '\r'; }),
                trimmed.end());
  if (pid) return *pid;
  if (trimmed == "0" || trimmed.empty()) return 0;
  *error = "systemctl show " + unit + " printed an unexpected MainPID: " + trimmed.substr(0, 64);
  return 0;
}

MatchResult FindMatches(const Selector& selector, const Env& env) {
  MatchResult m;
  const std::string& root = env.proc_root;
  switch (selector.kind) {
    case SelectorKind::kPids:
      m.procs = FromPids(selector.pids, root);
      return m;
    case SelectorKind::kPidfile: {
      auto text = ReadSmallFile(selector.value, 128);
      if (!text) return m;
      std::string first = text->substr(0, text->find('\n'));
      if (auto pid = ParsePidText(first)) m.procs = FromPids({*pid}, root);
      return m;
    }
    case SelectorKind::kUnit: {
      m.unit_main_pid = UnitMainPid(selector.value, env, &m.error);
      if (m.error.empty() && m.unit_main_pid > 0) m.procs = FromPids({m.unit_main_pid}, root);
      return m;
    }
    case SelectorKind::kName:
    case SelectorKind::kCmdline:
      break;
  }
  std::regex re;
  if (selector.kind == SelectorKind::kCmdline) {
    try {
      re = Compile(selector.value);
    } catch (const std::exception& e) {
      m.error = "cmdline is not a valid regular expression: " + std::string(e.what());
      m.invalid_argument = true;
      return m;
    }
  }
  for (int pid : ListPids(root)) {
    if (env.Cancelled()) {
      m.error = "cancelled";
      return m;
    }
    auto s = ReadStat(root, pid);
    if (!s || HasExited(*s) || IsKernelThread(*s)) continue;
    bool match = false;
    if (selector.kind == SelectorKind::kName) {
      match = s->comm == selector.value;
    } else {
      std::string cmd = ReadCmdline(root, pid, kMaxRegexSubject);
      try {
        match = !cmd.empty() && std::regex_search(cmd, re);
      } catch (const std::exception& e) {  // e.g. regex_error(error_complexity)
        m.error = "cmdline pattern failed on process " + std::to_string(pid) + ": " + e.what();
        m.invalid_argument = true;
        return m;
      }
    }
    if (match) m.procs.push_back(std::move(*s));
  }
  return m;
}

}  // namespace chaosrun::drivers::process
