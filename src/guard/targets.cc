#include "guard/targets.h"

#include <net/if.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

namespace chaosrun::guard {

namespace {

constexpr const char* kProcessKinds[] = {"process", "proc", "pid",  "pids",   "tid",
                                         "tgid",    "pgid", "task", "thread", "pidfd"};
constexpr const char* kUnitKinds[] = {"unit", "service"};
constexpr const char* kInterfaceKinds[] = {"interface", "iface", "if", "dev", "netdev", "link"};

std::string Trim(const std::string& s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

template <size_t N>
bool OneOf(const std::string& kind, const char* const (&names)[N]) {
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return kind == n; });
}

Status Unreadable(const std::string& target, const std::string& why) {
  return Status::InvalidArgument("blast radius: target '" + target + "' cannot be checked: " + why +
                                 " (the guard refuses what it cannot read)");
}

// A decimal pid: digits only (leading zeros and a '+' allowed), 1 .. 2^31 - 1.
Result<pid_t> ParsePid(const std::string& target, const std::string& text) {
  std::string s = Trim(text);
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  if (s.empty()) return Err(Unreadable(target, "no pid"));
  if (s[0] == '-') return Err(Unreadable(target, "a negative pid names a process group or all"));
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Err(Unreadable(target, "the pid '" + s + "' is not a number"));
    v = v * 10 + (c - '0');
    if (v > std::numeric_limits<int32_t>::max()) {
      return Err(Unreadable(target, "the pid '" + s + "' is out of range"));
    }
  }
  if (v == 0) return Err(Unreadable(target, "pid 0 names the caller's process group"));
  return static_cast<pid_t>(v);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<ParsedTarget> ParseTarget(const std::string& target) {
  size_t colon = target.find(':');
  if (colon == std::string::npos) return Err(Unreadable(target, "it has no '<kind>:'"));
  std::string kind = Lower(Trim(target.substr(0, colon)));
  std::string rest = target.substr(colon + 1);
  if (kind.empty()) return Err(Unreadable(target, "it has no '<kind>:'"));
  ParsedTarget t;
  if (OneOf(kind, kProcessKinds)) {
    size_t slash = rest.rfind('/');
    std::string id = slash == std::string::npos ? rest : rest.substr(slash + 1);
    auto pid = ParsePid(target, id);
    if (!pid) return Err(pid.error());
    t.kind = TargetKind::kProcess;
    t.pid = *pid;
    t.name = slash == std::string::npos ? std::string() : Trim(rest.substr(0, slash));
    t.canonical = "process:" + t.name + "/" + std::to_string(t.pid);
    return t;
  }
  if (OneOf(kind, kUnitKinds)) {
    t.kind = TargetKind::kUnit;
    t.name = Trim(rest);
    if (t.name.empty() || t.name.find('/') != std::string::npos) {
      return Err(Unreadable(target, "no unit name"));
    }
    if (t.name.find('.') == std::string::npos) t.name += ".service";
    t.canonical = "unit:" + t.name;
    return t;
  }
  if (OneOf(kind, kInterfaceKinds)) {
    t.kind = TargetKind::kInterface;
    size_t slash = rest.rfind('/');
    t.netns = slash == std::string::npos ? std::string() : Trim(rest.substr(0, slash));
    if (t.netns.empty()) t.netns = "host";
    t.name = Trim(slash == std::string::npos ? rest : rest.substr(slash + 1));
    if (t.name.empty()) return Err(Unreadable(target, "no interface name"));
    t.canonical = "interface:" + t.netns + "/" + t.name;
    return t;
  }
  t.canonical = Trim(target);
  return t;
}

Result<std::vector<std::string>> PlanTargetList(const Json& plan) {
  std::vector<std::string> out;
  if (!plan.is_object() || !plan.contains("targets")) return out;
  const Json& list = plan["targets"];
  if (!list.is_array()) {
    return Err(Status::InvalidArgument("blast radius: the driver's targets are " +
                                       std::string(list.type_name()) + ", not a list of strings"));
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) {
      std::string shown = list[i].dump();
      if (shown.size() > 80) shown = shown.substr(0, 80) + "...";
      return Err(Status::InvalidArgument("blast radius: target /targets/" + std::to_string(i) +
                                         " is " + shown +
                                         ", not a string: the guard cannot "
                                         "check it, so the action is refused"));
    }
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

std::set<std::string> DefaultRouteInterfaces(const std::string& route,
                                             const std::string& ipv6_route) {
  constexpr unsigned kRtfUp = 0x1;
  constexpr unsigned kRtfReject = 0x200;
  std::set<std::string> out;
  std::istringstream v4(route);
  std::string line;
  while (std::getline(v4, line)) {
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    std::istringstream f(line);
    std::string iface, dest, gw, flags, refcnt, use, metric, mask;
    if (!(f >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
    if (iface == "Iface" || dest != "00000000" || mask != "00000000") continue;
    unsigned fl = static_cast<unsigned>(std::strtoul(flags.c_str(), nullptr, 16));
    if ((fl & kRtfUp) != 0 && (fl & kRtfReject) == 0) out.insert(iface);
  }
  std::istringstream v6(ipv6_route);
  while (std::getline(v6, line)) {
    // dest plen src splen nexthop metric refcnt use flags iface
    std::istringstream f(line);
    std::string dest, plen, src, splen, nh, metric, refcnt, use, flags, iface;
    if (!(f >> dest >> plen >> src >> splen >> nh >> metric >> refcnt >> use >> flags >> iface)) {
      continue;
    }
    if (dest != std::string(32, '0') || plen != "00") continue;
    unsigned fl = static_cast<unsigned>(std::strtoul(flags.c_str(), nullptr, 16));
    if ((fl & kRtfUp) != 0 && (fl & kRtfReject) == 0) out.insert(iface);
  }
  return out;
}

bool HostInterfaces::Same(const std::string& allowed, const ParsedTarget& t) const {
  if (allowed == t.name) return true;
  if (!index_of) return false;
  unsigned a = index_of(allowed);
  return a != 0 && a == index_of(t.name);
}

bool HostInterfaces::Protects(const ParsedTarget& t) const {
  if (t.kind != TargetKind::kInterface || t.netns != "host") return false;
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return Same(n, t); });
}

HostInterfaces ReadHostInterfaces() {
  auto slurp = [](const char* path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  HostInterfaces h;
  h.names = DefaultRouteInterfaces(slurp("/proc/net/route"), slurp("/proc/net/ipv6_route"));
  h.names.insert("lo");
  h.index_of = [](const std::string& name) { return ::if_nametoindex(name.c_str()); };
  return h;
}

}  // namespace chaosrun::guard
