// What a `driver` provider's func does, by the loaded drivers' descriptors: an action changes the
// world (it goes through the fault lifecycle), a probe only observes. The dry modes and the
// FaultManager decide by this, never by the activity's `type` alone.
#pragma once

#include "common/json.h"
#include "plugin/registry.h"

namespace chaosrun::faults {

enum class FuncKind { kUnknown, kAction, kProbe };

// kUnknown when the provider names no loaded driver or no func of it. A name that a driver
// declares both as an action and as a probe is an action.
FuncKind DriverFuncKind(const plugin::Registry& registry, const Json& provider);

// Whether running `provider` may change the world: a driver action does, and so does a driver
// provider whose func is unknown (it cannot be proven harmless); a driver probe does not.
bool DriverChangesWorld(const plugin::Registry& registry, const Json& provider);

}  // namespace chaosrun::faults
