#include "guard/policy.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace chaosrun::guard {

namespace {

bool IsStringList(const Json& v) {
  if (!v.is_array()) return false;
  for (const auto& e : v) {
    if (!e.is_string() || e.get_ref<const std::string&>().empty()) return false;
  }
  return true;
}

std::vector<std::string> Strings(const Json& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.get<std::string>());
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> CheckPolicyJson(const Json& value,
                                                                 const std::string& pointer) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (!value.is_object()) {
    problems.emplace_back(pointer, "the blast radius must be an object");
    return problems;
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    std::string p = PointerAppend(pointer, k);
    if (k == "allow" || k == "deny" || k == "protected") {
      if (!IsStringList(v)) problems.emplace_back(p, k + " must be a list of non-empty patterns");
    } else if (k == "allow-interfaces") {
      if (!IsStringList(v)) problems.emplace_back(p, k + " must be a list of interface names");
    } else if (k == "max-targets-per-action" || k == "max-targets") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        problems.emplace_back(p, k + " must be a non-negative integer");
      }
    } else if (k == "max-duration") {
      if (!v.is_number() || v.is_boolean() || v.get<double>() <= 0) {
        problems.emplace_back(p, "max-duration must be a positive number of seconds");
      }
    } else if (k == "undo-timeout") {
      if (!v.is_number() || v.is_boolean() || v.get<double>() <= 0) {
        problems.emplace_back(p, "undo-timeout must be a positive number of seconds");
      }
    } else {
      problems.emplace_back(
          p, "unknown blast-radius key '" + k +
                 "' (allowed: allow, deny, protected, allow-interfaces, max-targets-per-action, "
                 "max-targets, max-duration, undo-timeout)");
    }
  }
  return problems;
}

Result<Policy> ParsePolicy(const Json& value, const std::string& origin) {
  auto problems = CheckPolicyJson(value, "");
  if (!problems.empty()) {
    return Err(Status::InvalidArgument(origin + ": " +
                                       (problems[0].first.empty() ? "/" : problems[0].first) +
                                       ": " + problems[0].second));
  }
  Policy p;
  p.origin = origin;
  if (value.contains("allow")) p.allow = Strings(value["allow"]);
  if (value.contains("deny")) p.deny = Strings(value["deny"]);
  if (value.contains("protected")) p.protected_targets = Strings(value["protected"]);
  if (value.contains("allow-interfaces")) p.allow_interfaces = Strings(value["allow-interfaces"]);
  if (value.contains("max-targets-per-action")) {
    p.max_targets_per_action = value["max-targets-per-action"].get<int64_t>();
  }
  if (value.contains("max-targets")) p.max_targets = value["max-targets"].get<int64_t>();
  if (value.contains("max-duration")) p.max_duration = value["max-duration"].get<double>();
  if (value.contains("undo-timeout")) p.undo_timeout = value["undo-timeout"].get<double>();
  return p;
}

Result<Policy> LoadPolicyFile(const std::string& path, bool must_exist) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT && !must_exist) {
      Policy empty;
      empty.origin = path;
      return empty;
    }
    if (err == ENOENT) return Err(Status::NotFound("policy file " + path + " does not exist"));
    return Err(Status::IoError("cannot read policy file " + path + ": " + std::strerror(err)));
  }
  if (S_ISDIR(st.st_mode)) {
    return Err(Status::IoError("cannot read policy file " + path + ": it is a directory"));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Err(Status::IoError("cannot read policy file " + path + ": " +
                               std::strerror(errno != 0 ? errno : EIO)));
  }
  std::stringstream ss;
  ss << in.rdbuf();  // an empty file inserts nothing: it is then not valid JSON, below
  if (in.bad()) return Err(Status::IoError("cannot read policy file " + path));
  Json doc = Json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded()) {
    return Err(Status::ParseError("policy file " + path + " is not valid JSON"));
  }
  return ParsePolicy(doc, path);
}

const std::vector<std::string>& DefaultProtectedPatterns() {
  static const std::vector<std::string> kPatterns = {
      "process:*/1",         "process:systemd*/*",    "process:init/*",
      "process:sshd/*",      "process:sshd-*/*",      "process:chaosrun/*",
      "process:chaosrund/*", "process:dbus-daemon/*", "process:dbus-broker*/*",
      "process:kthreadd/*",  "process:containerd/*",  "process:dockerd/*",
      "process:kubelet/*",   "unit:sshd.service",     "unit:ssh.service",
      "unit:systemd-*",      "unit:dbus.service",     "unit:chaosrund.service",
  };
  return kPatterns;
}

bool GlobMatch(const std::string& pattern, const std::string& target) {
  return ::fnmatch(pattern.c_str(), target.c_str(), 0) == 0;
}

}  // namespace chaosrun::guard
