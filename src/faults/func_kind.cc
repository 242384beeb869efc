#include "faults/func_kind.h"

#include <string>

namespace chaosrun::faults {

namespace {

std::string DriverStringField(const Json& provider, const char* key) {
  if (!provider.is_object()) return {};
  auto it = provider.find(key);
  return it != provider.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

FuncKind DriverFuncKind(const plugin::Registry& registry, const Json& provider) {
  const plugin::Driver* driver = registry.Find(DriverStringField(provider, "driver"));
  if (driver == nullptr) return FuncKind::kUnknown;
  const std::string func = DriverStringField(provider, "func");
  if (driver->descriptor().FindAction(func) != nullptr) return FuncKind::kAction;
  if (driver->descriptor().FindProbe(func) != nullptr) return FuncKind::kProbe;
  return FuncKind::kUnknown;
}

bool DriverChangesWorld(const plugin::Registry& registry, const Json& provider) {
  return DriverFuncKind(registry, provider) != FuncKind::kProbe;
}

}  // namespace chaosrun::faults
