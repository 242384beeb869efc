#include "guard/guard.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>

namespace chaosrun::guard {

namespace {

pid_t ParentOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  // The command name is in parentheses and may contain spaces: parse after the last ')'.
  size_t rp = line.rfind(')');
  if (rp == std::string::npos || rp + 4 > line.size()) return 0;
  // ") S <ppid> ..."
  size_t p = rp + 4;
  pid_t ppid = 0;
  std::from_chars(line.data() + p, line.data() + line.size(), ppid);
  return ppid;
}

// Fills `refusal` (if any) and returns the refusal's Status.
Status RefuseWith(Refusal* refusal, const char* rule, const std::string& target,
                  const std::string& layer, const std::string& message) {
  if (refusal != nullptr) *refusal = Refusal{rule, target, layer};
  return Status::InvalidArgument(message);
}

}  // namespace

std::set<pid_t> ProtectedPids() {
  std::set<pid_t> pids = {1};
  pid_t p = ::getpid();
  for (int depth = 0; p > 1 && depth < 256; ++depth) {
    pids.insert(p);
    p = ParentOf(p);
  }
  return pids;
}

std::optional<pid_t> ProcessTargetPid(const std::string& target) {
  auto t = ParseTarget(target);
  if (!t || t->kind != TargetKind::kProcess) return std::nullopt;
  return t->pid;
}

Guard::Guard(std::vector<Policy> layers, std::set<pid_t> protected_pids)
    : layers_(std::move(layers)), protected_pids_(std::move(protected_pids)) {}

Status Guard::CheckOne(const std::string& target, Refusal* refusal) const {
  // Every rule sees the canonical spelling as well as the driver's (targets.h).
  auto parsed = ParseTarget(target);
  if (!parsed) {
    return RefuseWith(refusal, "unreadable", target, "built-in", parsed.error().message());
  }
  auto Matches = [&parsed](const std::string& pattern, const std::string& raw) {
    return guard::GlobMatch(pattern, raw) || guard::GlobMatch(pattern, parsed->canonical);
  };
  if (parsed->kind == TargetKind::kProcess && protected_pids_.count(parsed->pid) != 0) {
    return RefuseWith(refusal, "protected", target, "built-in",
                      "blast radius: " + target +
                          " is protected (pid 1, chaosrun itself or one of its "
                          "ancestors is never touched)");
  }
  if (host_interfaces_.Protects(*parsed)) {
    bool allowed = std::any_of(layers_.begin(), layers_.end(), [&](const Policy& layer) {
      return std::any_of(layer.allow_interfaces.begin(), layer.allow_interfaces.end(),
                         [&](const std::string& n) { return host_interfaces_.Same(n, *parsed); });
    });
    if (!allowed) {
      return RefuseWith(refusal, "protected", target, "built-in",
                        "blast radius: " + target +
                            " is protected (the host's loopback or default-route interface; a "
                            "policy layer must name it in allow-interfaces)");
    }
  }
  for (const auto& pat : DefaultProtectedPatterns()) {
    if (Matches(pat, target)) {
      return RefuseWith(
          refusal, "protected", target, "built-in",
          "blast radius: " + target + " is protected (built-in protected pattern '" + pat + "')");
    }
  }
  for (const Policy& layer : layers_) {
    for (const auto& pat : layer.protected_targets) {
      if (Matches(pat, target)) {
        return RefuseWith(refusal, "protected", target, layer.origin,
                          "blast radius: " + target + " is protected by pattern '" + pat + "' of " +
                              layer.origin);
      }
    }
    for (const auto& pat : layer.deny) {
      if (Matches(pat, target)) {
        return RefuseWith(
            refusal, "deny", target, layer.origin,
            "blast radius: " + target + " matches deny pattern '" + pat + "' of " + layer.origin);
      }
    }
    if (!layer.allow.empty()) {
      bool ok = false;
      for (const auto& pat : layer.allow) ok = ok || Matches(pat, target);
      if (!ok) {
        return RefuseWith(
            refusal, "allow", target, layer.origin,
            "blast radius: " + target + " matches no allow pattern of " + layer.origin);
      }
    }
  }
  return Status::Ok();
}

Status Guard::Admit(const std::vector<std::string>& targets, Refusal* refusal) {
  if (targets.empty()) {
    return RefuseWith(refusal, "no-target", "", "built-in",
                      "blast radius: the action reported no target");
  }
  for (const auto& t : targets) {
    if (Status st = CheckOne(t, refusal); !st.ok()) return st;
  }
  std::lock_guard lock(mu_);
  int64_t n = static_cast<int64_t>(targets.size());
  for (const Policy& layer : layers_) {
    if (layer.max_targets_per_action && n > *layer.max_targets_per_action) {
      if (refusal != nullptr) {
        *refusal = {
            "max-targets-per-action",
            targets[static_cast<size_t>(std::max<int64_t>(0, *layer.max_targets_per_action))],
            layer.origin};
      }
      return Status::InvalidArgument("blast radius: the action would touch " + std::to_string(n) +
                                     " targets, more than max-targets-per-action " +
                                     std::to_string(*layer.max_targets_per_action) + " of " +
                                     layer.origin);
    }
    if (layer.max_targets && admitted_ + n > *layer.max_targets) {
      if (refusal != nullptr) {
        int64_t first = std::clamp<int64_t>(*layer.max_targets - admitted_, 0, n - 1);
        *refusal = {"max-targets", targets[static_cast<size_t>(first)], layer.origin};
      }
      return Status::InvalidArgument("blast radius: the run would touch " +
                                     std::to_string(admitted_ + n) +
                                     " targets, more than max-targets " +
                                     std::to_string(*layer.max_targets) + " of " + layer.origin);
    }
  }
  admitted_ += n;
  return Status::Ok();
}

Result<std::vector<std::string>> Guard::PlanTargets(const Json& plan, Refusal* refusal) const {
  auto targets = PlanTargetList(plan);
  if (!targets) {
    if (refusal != nullptr) *refusal = {"unreadable", "", "built-in"};
    return targets;
  }
  auto unbounded = plan.find("unbounded");
  if (unbounded != plan.end() && unbounded->is_boolean() && unbounded->get<bool>() &&
      std::none_of(layers_.begin(), layers_.end(),
                   [](const Policy& l) { return l.max_targets_per_action.has_value(); })) {
    auto matched = plan.find("matched");
    std::string n = matched != plan.end() && matched->is_number_unsigned()
                        ? std::to_string(matched->get<uint64_t>())
                        : std::to_string(targets->size());
    if (refusal != nullptr) *refusal = {"max-targets-per-action", "", "built-in"};
    return Err(Status::InvalidArgument(
        "blast radius: the selector matched " + n +
        " targets and neither count nor percent chose among them: give count or percent, or "
        "set max-targets-per-action in the experiment's blast-radius or the policy file to act "
        "on all of them"));
  }
  return targets;
}

Status Guard::CheckDuration(double seconds, Refusal* refusal) const {
  for (const Policy& layer : layers_) {
    if (layer.max_duration && seconds > *layer.max_duration) {
      if (refusal != nullptr) *refusal = {"max-duration", "", layer.origin};
      return Status::InvalidArgument("blast radius: a fault of " + std::to_string(seconds) +
                                     " s exceeds max-duration " +
                                     std::to_string(*layer.max_duration) + " s of " + layer.origin);
    }
  }
  return Status::Ok();
}

std::optional<double> Guard::max_duration() const {
  std::optional<double> out;
  for (const Policy& layer : layers_) {
    if (layer.max_duration && (!out || *layer.max_duration < *out)) out = layer.max_duration;
  }
  return out;
}

std::optional<double> Guard::undo_timeout() const {
  std::optional<double> out;
  for (const Policy& layer : layers_) {
    if (layer.undo_timeout && (!out || *layer.undo_timeout < *out)) out = layer.undo_timeout;
  }
  return out;
}

int64_t Guard::admitted() const {
  std::lock_guard lock(mu_);
  return admitted_;
}

}  // namespace chaosrun::guard
