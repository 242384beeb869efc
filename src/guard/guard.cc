#include "guard/guard.h"

#include <unistd.h>

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
  if (target.rfind("process:", 0) != 0) return std::nullopt;
  size_t slash = target.rfind('/');
  if (slash == std::string::npos || slash + 1 >= target.size()) return std::nullopt;
  pid_t pid = 0;
  auto [ptr, ec] = std::from_chars(target.data() + slash + 1, target.data() + target.size(), pid);
  if (ec != std::errc() || ptr != target.data() + target.size()) return std::nullopt;
  return pid;
}

Guard::Guard(std::vector<Policy> layers, std::set<pid_t> protected_pids)
    : layers_(std::move(layers)), protected_pids_(std::move(protected_pids)) {}

Status Guard::CheckOne(const std::string& target) const {
  if (auto pid = ProcessTargetPid(target); pid && protected_pids_.count(*pid) != 0) {
    return Status::InvalidArgument("blast radius: " + target +
                                   " is protected (pid 1, chaosrun itself or one of its "
                                   "ancestors is never touched)");
  }
  for (const auto& pat : DefaultProtectedPatterns()) {
    if (GlobMatch(pat, target)) {
      return Status::InvalidArgument("blast radius: " + target +
                                     " is protected (built-in protected pattern '" + pat + "')");
    }
  }
  for (const Policy& layer : layers_) {
    for (const auto& pat : layer.protected_targets) {
      if (GlobMatch(pat, target)) {
        return Status::InvalidArgument("blast radius: " + target + " is protected by pattern '" +
                                       pat + "' of " + layer.origin);
      }
    }
    for (const auto& pat : layer.deny) {
      if (GlobMatch(pat, target)) {
        return Status::InvalidArgument("blast radius: " + target + " matches deny pattern '" + pat +
                                       "' of " + layer.origin);
      }
    }
    if (!layer.allow.empty()) {
      bool ok = false;
      for (const auto& pat : layer.allow) ok = ok || GlobMatch(pat, target);
      if (!ok) {
        return Status::InvalidArgument("blast radius: " + target + " matches no allow pattern of " +
                                       layer.origin);
      }
    }
  }
  return Status::Ok();
}

Status Guard::Admit(const std::vector<std::string>& targets) {
  if (targets.empty()) {
    return Status::InvalidArgument("blast radius: the action reported no target");
  }
  for (const auto& t : targets) {
    if (Status st = CheckOne(t); !st.ok()) return st;
  }
  std::lock_guard lock(mu_);
  int64_t n = static_cast<int64_t>(targets.size());
  for (const Policy& layer : layers_) {
    if (layer.max_targets_per_action && n > *layer.max_targets_per_action) {
      return Status::InvalidArgument("blast radius: the action would touch " + std::to_string(n) +
                                     " targets, more than max-targets-per-action " +
                                     std::to_string(*layer.max_targets_per_action) + " of " +
                                     layer.origin);
    }
    if (layer.max_targets && admitted_ + n > *layer.max_targets) {
      return Status::InvalidArgument("blast radius: the run would touch " +
                                     std::to_string(admitted_ + n) +
                                     " targets, more than max-targets " +
                                     std::to_string(*layer.max_targets) + " of " + layer.origin);
    }
  }
  admitted_ += n;
  return Status::Ok();
}

Status Guard::CheckDuration(double seconds) const {
  for (const Policy& layer : layers_) {
    if (layer.max_duration && seconds > *layer.max_duration) {
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

int64_t Guard::admitted() const {
  std::lock_guard lock(mu_);
  return admitted_;
}

}  // namespace chaosrun::guard
