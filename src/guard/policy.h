// Blast-radius policy: which targets a fault may touch, how many, and for how long.
//
// The same object shape is used by an experiment's top-level `blast-radius` block and by the
// operator's policy file (/etc/chaosrun/policy.json or --policy):
//   {"allow": ["process:redis-server/*"], "deny": ["process:*/1"],
//    "max-targets-per-action": 3, "max-targets": 5, "max-duration": 120, "undo-timeout": 30,
//    "protected": ["process:postgres/*"]}
// A target is a string "<kind>:<name>/<id>" reported by a driver's prepare (e.g.
// "process:redis-server/4242", "unit:redis.service", "proxy:redis"); patterns are shell globs
// (fnmatch) over the whole string. Layers only narrow: a target must pass every layer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::guard {

struct Policy {
  std::string origin;              // "experiment" or the policy file's path, for messages
  std::vector<std::string> allow;  // empty: anything not denied
  std::vector<std::string> deny;
  std::vector<std::string> protected_targets;
  // Host interfaces a fault may touch although they are protected (lo, the default route's):
  // exact names (targets.h, HostInterfaces).
  std::vector<std::string> allow_interfaces;
  std::optional<int64_t> max_targets_per_action;
  std::optional<int64_t> max_targets;
  std::optional<double> max_duration;  // seconds
  std::optional<double>
      undo_timeout;  // seconds: the time limit of one undo (faults/bounded_undo.h)
};

// Problems in a policy object: (JSON pointer, reason) for unknown keys and wrong types.
std::vector<std::pair<std::string, std::string>> CheckPolicyJson(const Json& value,
                                                                 const std::string& pointer);

// Parses a checked policy object (InvalidArgument naming the first problem otherwise).
Result<Policy> ParsePolicy(const Json& value, const std::string& origin);

// Loads the operator's policy file. A missing default file (ENOENT) is an empty policy; a
// missing file given explicitly, or any file that exists but cannot be read (a directory, no
// permission, a path through a non-directory), is an error.
Result<Policy> LoadPolicyFile(const std::string& path, bool must_exist);

inline constexpr const char* kDefaultPolicyPath = "/etc/chaosrun/policy.json";

// Targets that are never touched, whatever the policies say.
const std::vector<std::string>& DefaultProtectedPatterns();

bool GlobMatch(const std::string& pattern, const std::string& target);

}  // namespace chaosrun::guard
