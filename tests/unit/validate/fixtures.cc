#include "fixtures.h"

#include <set>
#include <utility>

namespace chaosrun::validate::testing {

Options TestOptions(std::map<std::string, std::string> env) {
  Options options;
  options.resolve_executable = [](const std::string& name) -> std::optional<std::string> {
    static const std::set<std::string> kKnown = {"true", "echo", "/bin/sh"};
    if (kKnown.contains(name)) return "/usr/bin/" + name;
    return std::nullopt;
  };
  options.env = [env = std::move(env)](const std::string& key) -> std::optional<std::string> {
    auto it = env.find(key);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

Json Base() { return Json::parse(kBaseExperiment); }

Json Patched(const char* patch) { return Base().patch(Json::parse(patch)); }

std::vector<Diagnostic> Errors(const std::vector<Diagnostic>& all) {
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : all) {
    if (!d.warning) out.push_back(d);
  }
  return out;
}

std::vector<Diagnostic> Warnings(const std::vector<Diagnostic>& all) {
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : all) {
    if (d.warning) out.push_back(d);
  }
  return out;
}

std::optional<Diagnostic> At(const std::vector<Diagnostic>& all, const std::string& pointer) {
  for (const Diagnostic& d : all) {
    if (d.pointer == pointer) return d;
  }
  return std::nullopt;
}

std::string Describe(const std::vector<Diagnostic>& all) {
  std::string out;
  for (const Diagnostic& d : all) out += "  " + d.ToString() + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

}  // namespace chaosrun::validate::testing
