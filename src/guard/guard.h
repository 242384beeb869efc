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

namespace chaosrun::guard {

class Guard {
 public:
  // `protected_pids`: pid 1, the runner and its ancestors (see ProtectedPids()).
  Guard(std::vector<Policy> layers, std::set<pid_t> protected_pids);

  // Checks one action's targets; on success counts them against the per-run limit. A refusal
  // (Status::InvalidArgument) names the rule and the layer; nothing is counted then.
  Status Admit(const std::vector<std::string>& targets);

  // Refuses a fault whose requested duration exceeds max-duration.
  Status CheckDuration(double seconds) const;

  // The smallest max-duration of all layers (the watchdog deadline), if any.
  std::optional<double> max_duration() const;
  int64_t admitted() const;

 private:
  Status CheckOne(const std::string& target) const;

  std::vector<Policy> layers_;
  std::set<pid_t> protected_pids_;
  mutable std::mutex mu_;
  int64_t admitted_ = 0;
};

// pid 1, this process and all its ancestors.
std::set<pid_t> ProtectedPids();

// The numeric id of a "process:<name>/<pid>" target, if it is one.
std::optional<pid_t> ProcessTargetPid(const std::string& target);

}  // namespace chaosrun::guard
