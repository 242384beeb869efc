// Guard: enforces the blast radius on the host side before any fault is applied (a driver only
// *reports* what it would touch). Thread-safe: background activities may check concurrently.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "guard/policy.h"
#include "guard/targets.h"

namespace chaosrun::guard {

// What refused a fault, for the journal: the rule ("protected", "deny", "allow", "no-target",
// "max-targets-per-action", "max-targets", "max-duration"), the target refused (for the count
// limits the first target past the limit; empty for max-duration) and the layer's origin.
struct Refusal {
  std::string rule;
  std::string target;
  std::string layer;
};

class Guard {
 public:
  // `protected_pids`: pid 1, the runner and its ancestors (see ProtectedPids()).
  Guard(std::vector<Policy> layers, std::set<pid_t> protected_pids);

  // Checks one action's targets; on success counts them against the per-run limit. A refusal
  // (Status::InvalidArgument) names the rule and the layer; nothing is counted then, and
  // `refusal` (if given) says which rule refused which target.
  Status Admit(const std::vector<std::string>& targets, Refusal* refusal = nullptr);

  // Refuses a fault whose requested duration exceeds max-duration.
  Status CheckDuration(double seconds, Refusal* refusal = nullptr) const;

  // The smallest max-duration of all layers (the watchdog deadline), if any.
  std::optional<double> max_duration() const;
  // The smallest undo-timeout of all layers (caps every undo's time limit), if any.
  std::optional<double> undo_timeout() const;
  int64_t admitted() const;

  // The targets of a driver's plan, checked before Admit: every target must be a string (a
  // number or an object is refused, not dropped), and a plan marked "unbounded" (a selector
  // matched several targets and no count or percent chose among them) is refused unless a
  // layer sets max-targets-per-action.
  Result<std::vector<std::string>> PlanTargets(const Json& plan, Refusal* refusal = nullptr) const;

  // lo and the default-route interfaces by default (ReadHostInterfaces()); tests inject theirs.
  void set_host_interfaces(HostInterfaces h) { host_interfaces_ = std::move(h); }

 private:
  Status CheckOne(const std::string& target, Refusal* refusal) const;

  std::vector<Policy> layers_;
  std::set<pid_t> protected_pids_;
  HostInterfaces host_interfaces_ = ReadHostInterfaces();
  mutable std::mutex mu_;
  int64_t admitted_ = 0;
};

// pid 1, this process and all its ancestors.
std::set<pid_t> ProtectedPids();

// The pid of a target of a process kind, however spelled ("process:<name>/<pid>", "pid:1",
// " process:init/0001"; see ParseTarget), if it is one and can be read.
std::optional<pid_t> ProcessTargetPid(const std::string& target);

}  // namespace chaosrun::guard
