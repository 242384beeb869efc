// BuiltinDispatcher: provider.type → implementation.
#include "providers/provider.h"

namespace chaosrun::providers {

namespace {

std::string ActivityName(const Json& activity) {
  if (!activity.is_object()) return "";
  auto it = activity.find("name");
  return it != activity.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Outcome BuiltinDispatcher::Run(const Json& activity, const Json& provider, const Context& ctx) {
  const std::string name = ActivityName(activity);
  const std::string in_activity = name.empty() ? "" : ", in activity '" + name + "'";
  if (!provider.is_object()) {
    return Outcome::Failed("the provider must be an object" + in_activity);
  }
  auto type_it = provider.find("type");
  if (type_it == provider.end() || !type_it->is_string()) {
    return Outcome::Failed("the provider has no type (a string)" + in_activity);
  }
  const std::string& type = type_it->get_ref<const std::string&>();
  if (type == "process") return RunProcess(provider, ctx);
  if (type == "http") return RunHttp(provider, ctx);
  if (type == "python") return RunPython(provider, ctx);
  return Outcome::Failed("unknown provider type '" + type + "'" + in_activity);
}

}  // namespace chaosrun::providers
