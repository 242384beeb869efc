// How the guard reads a target string, however a driver spells it. Drivers report targets as
// "<kind>:<name>/<id>" ("process:redis-server/4242", "unit:redis.service", "interface:host/eth0"),
// but the host's protections must hold for "process:1", "pid:1", " process:init/1" and
// "process:systemd/0001" too: a target of a kind the guard protects (processes, units, network
// interfaces) is normalised to one canonical spelling, and refused when it cannot be read.
// Pure functions except ReadHostInterfaces(); thread-safe.
#pragma once

#include <sys/types.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::guard {

enum class TargetKind { kOther, kProcess, kUnit, kInterface };

struct ParsedTarget {
  TargetKind kind = TargetKind::kOther;
  // "process:<name>/<pid>" (pid in decimal, no leading zeros), "unit:<name>" (".service"
  // added when the name has no suffix, as systemctl does), "interface:<netns>/<ifname>" ("host"
  // for the host's namespace); the target as given (trimmed) for any other kind.
  std::string canonical;
  pid_t pid = 0;      // kProcess: always > 0
  std::string name;   // the process name (may be empty), unit or interface name
  std::string netns;  // kInterface: "host" for the host's namespace
};

// Parses one target. An error (InvalidArgument with the reason) for a target with no kind, or
// of a protected kind whose id or name cannot be read: "process:x/abc", "pid:-1", "unit:".
// Kinds are compared without case and surrounding whitespace; process kinds are process, proc,
// pid, pids, tid, tgid, pgid, task, thread, pidfd; unit kinds unit, service; interface kinds
// interface, iface, if, dev, netdev, link.
Result<ParsedTarget> ParseTarget(const std::string& target);

// A plan's "targets", which must be a list of strings: a number, an object or null in it is
// refused (naming its index), never dropped. An absent list is an empty one.
Result<std::vector<std::string>> PlanTargetList(const Json& plan);

// The interfaces that carry a default route, from the texts of /proc/net/route and
// /proc/net/ipv6_route (reject routes are not counted).
std::set<std::string> DefaultRouteInterfaces(const std::string& route,
                                             const std::string& ipv6_route);

// The host's interfaces that are never faulted unless a policy layer names them in
// `allow-interfaces`: lo and the default route's interfaces. Matched by name, and by interface
// index through `index_of` (so an altname of eth0 is eth0); `index_of` returns 0 for an unknown
// name and may be empty (names only).
struct HostInterfaces {
  std::set<std::string> names;
  std::function<unsigned(const std::string&)> index_of;

  // One of `names` (or the same interface as one of them), in the host's namespace.
  bool Protects(const ParsedTarget& t) const;
  // `allowed` names the same interface as `t`.
  bool Same(const std::string& allowed, const ParsedTarget& t) const;
};

// lo and the default-route interfaces read from /proc/net now, resolved with if_nametoindex.
HostInterfaces ReadHostInterfaces();

}  // namespace chaosrun::guard
