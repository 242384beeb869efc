#include "session/environment.h"

#include <optional>
#include <vector>

#include "guard/policy.h"
#include "ledger/ledger.h"
#include "plugin/schema.h"

namespace chaosrun::session {

std::unique_ptr<plugin::Registry> LoadRegistry(const Environment& env) {
  auto reg = std::make_unique<plugin::Registry>();
  for (const auto& d : env.driver_dirs) reg->LoadDirectory(d, /*must_exist=*/true);
  if (env.installed_drivers) reg->LoadDirectory(plugin::InstalledDriverDir());
  return reg;
}

Result<std::string> StateDir(const Environment& env) {
  if (!env.state_dir.empty()) return env.state_dir;
  return ledger::DefaultStateDir();
}

std::string StateDirFlag(const Environment& env, const std::string& state_dir) {
  return env.state_dir.empty() ? std::string() : " --state-dir " + state_dir;
}

Result<std::unique_ptr<guard::Guard>> MakeGuard(const Environment& env, const Json& experiment) {
  std::vector<guard::Policy> layers;
  if (experiment.is_object() && experiment.contains("blast-radius")) {
    auto p = guard::ParsePolicy(experiment["blast-radius"], "the experiment's blast-radius");
    if (!p) return Err(p.error());
    layers.push_back(std::move(*p));
  }
  bool explicit_policy = !env.policy_path.empty();
  auto op = guard::LoadPolicyFile(explicit_policy ? env.policy_path : guard::kDefaultPolicyPath,
                                  explicit_policy);
  if (!op) return Err(op.error());
  layers.push_back(std::move(*op));
  return std::make_unique<guard::Guard>(std::move(layers), guard::ProtectedPids());
}

validate::DriverCheck MakeDriverCheck(const plugin::Registry& registry) {
  return [&registry](const Json& provider, const std::string& pointer, const std::string& activity,
                     std::vector<validate::Diagnostic>& out) -> validate::DriverFunc {
    using validate::DriverFunc;
    auto error = [&](const std::string& p, const std::string& m) {
      out.push_back({p, m + " (activity '" + activity + "')", false});
    };
    auto str = [&](const char* key) -> std::optional<std::string> {
      auto it = provider.find(key);
      if (it == provider.end() || !it->is_string() || it->get<std::string>().empty()) {
        error(PointerAppend(pointer, key),
              std::string("a driver provider needs a non-empty string '") + key + "'");
        return std::nullopt;
      }
      return it->get<std::string>();
    };
    auto name = str("driver");
    auto func = str("func");
    if (auto it = provider.find("duration"); it != provider.end()) {
      if (!it->is_number() || it->is_boolean() || it->get<double>() <= 0) {
        error(PointerAppend(pointer, "duration"), "duration must be a positive number of seconds");
      }
    }
    if (!name || !func) return DriverFunc::kUnknown;
    const plugin::Driver* d = registry.Find(*name);
    if (d == nullptr) {
      error(PointerAppend(pointer, "driver"),
            "no driver named '" + *name + "' is loaded (see `chaosrun drivers`)");
      return DriverFunc::kUnknown;
    }
    DriverFunc kind = DriverFunc::kAction;
    const plugin::FuncInfo* f = d->descriptor().FindAction(*func);
    if (f == nullptr) {
      f = d->descriptor().FindProbe(*func);
      kind = DriverFunc::kProbe;
    }
    if (f == nullptr) {
      error(PointerAppend(pointer, "func"),
            "driver '" + *name + "' has no action or probe named '" + *func + "'");
      return DriverFunc::kUnknown;
    }
    Json args = Json::object();
    if (auto it = provider.find("arguments"); it != provider.end()) args = *it;
    // Arguments that still hold ${...} placeholders are checked at run time by the driver.
    if (DumpCompact(args).find("${") != std::string::npos) return kind;
    for (auto& [p, m] : plugin::CheckAgainstSchema(f->arguments_schema, args,
                                                   PointerAppend(pointer, "arguments"))) {
      error(p, m);
    }
    return kind;
  };
}

}  // namespace chaosrun::session
