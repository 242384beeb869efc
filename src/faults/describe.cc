#include "faults/describe.h"

#include <optional>

namespace chaosrun::faults {

namespace {

std::string StringAt(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "pid 12" / "pids 12, 13" from a list of recorded processes ({"pid": N, ...}).
std::string PidList(const Json& processes) {
  std::string pids;
  size_t n = 0;
  if (processes.is_array()) {
    for (const auto& p : processes) {
      if (!p.is_object() || !p.contains("pid") || !p["pid"].is_number_integer()) continue;
      if (++n <= kShownTargets) {
        pids += (pids.empty() ? "" : ", ") + std::to_string(p["pid"].get<int64_t>());
      }
    }
  }
  if (n == 0) return "the stopped processes";
  std::string out = (n == 1 ? "pid " : "pids ") + pids;
  if (n > kShownTargets) out += " and " + std::to_string(n - kShownTargets) + " more";
  return out;
}

std::string Argv(const Json& argv) {
  std::string out;
  if (!argv.is_array()) return out;
  for (const auto& a : argv) {
    if (!a.is_string()) continue;
    std::string s = a.get<std::string>();
    bool quote = s.empty() || s.find_first_of(" \t'\"") != std::string::npos;
    out += (out.empty() ? "" : " ") + (quote ? "'" + s + "'" : s);
  }
  return out;
}

std::string ToxicName(const Json& toxic) {
  if (toxic.is_string()) return toxic.get<std::string>();
  return StringAt(toxic, "name");
}

}  // namespace

std::string DescribeTarget(const std::string& target) {
  auto after = [&](std::string_view prefix) -> std::optional<std::string> {
    if (target.rfind(prefix, 0) != 0) return std::nullopt;
    return target.substr(prefix.size());
  };
  if (auto rest = after("process:")) {
    size_t slash = rest->rfind('/');
    if (slash != std::string::npos && slash + 1 < rest->size()) {
      return rest->substr(0, slash) + " (pid " + rest->substr(slash + 1) + ")";
    }
    return *rest;
  }
  if (auto rest = after("proxy:")) {
    size_t slash = rest->rfind('/');
    if (slash != std::string::npos) {
      return "proxy " + rest->substr(slash + 1) + " (API " + rest->substr(0, slash) + ")";
    }
    return "proxy " + *rest;
  }
  if (auto rest = after("file:")) return "file " + *rest;
  if (auto rest = after("interface:")) return "interface " + *rest;
  if (auto rest = after("unit:")) return "unit " + *rest;
  return target;
}

std::string DescribeTargets(const std::vector<std::string>& targets) {
  if (targets.empty()) return "no target";
  std::string out;
  for (size_t i = 0; i < targets.size() && i < kShownTargets; ++i) {
    out += (i == 0 ? "" : ", ") + DescribeTarget(targets[i]);
  }
  if (targets.size() > kShownTargets) {
    out += " and " + std::to_string(targets.size() - kShownTargets) + " more";
  }
  return out;
}

std::string DescribeUndo(const std::string& driver, const std::string& func, const Json& plan) {
  if (std::string own = StringAt(plan, "undo_description"); !own.empty()) return own;
  const Json undo = plan.is_object() && plan.contains("undo") ? plan["undo"] : Json();
  const std::string action = StringAt(undo, "action");
  if (action == "stop") return "SIGCONT " + PidList(undo.value("processes", Json()));
  if (action == "kill") {
    if (std::string unit = StringAt(undo, "unit"); !unit.empty()) {
      return "systemctl start " + unit;
    }
    if (undo.contains("restart")) return "restart: " + Argv(undo["restart"]);
  }
  const std::string proxy = StringAt(undo, "proxy");
  if (!proxy.empty() && undo.contains("toxic")) {
    return "remove toxic " + ToxicName(undo["toxic"]) + " from proxy " + proxy;
  }
  if (!proxy.empty() && undo.contains("enabled")) {
    bool enabled = undo["enabled"].is_boolean() && undo["enabled"].get<bool>();
    return enabled ? "enable proxy " + proxy : "leave proxy " + proxy + " disabled";
  }
  if (!proxy.empty() && undo.contains("upstream")) return "delete proxy " + proxy;
  if (undo.contains("interface") && undo.contains("handle")) {
    return "restore the qdisc of interface " + StringAt(undo, "interface");
  }
  if (undo.contains("files") && undo["files"].is_array()) {
    size_t n = undo["files"].size();
    std::string out = "restore " + std::to_string(n) + (n == 1 ? " file" : " files");
    const Json reload = undo.value("reload", Json());
    if (!reload.is_null() && !(reload.is_object() && reload.empty())) out += ", then reload";
    return out;
  }
  if (std::string name = StringAt(undo, "name"); !name.empty() && undo.size() == 1) {
    return "close " + name;
  }
  return driver + "." + func + "'s undo";
}

}  // namespace chaosrun::faults
