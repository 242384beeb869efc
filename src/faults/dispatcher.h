// The dispatcher used by `chaosrun run`: `driver` providers go through the FaultManager (and so
// through the guard, the ledger and the undo lifecycle); everything else to the built-in
// providers. A driver provider changes the world unless its func is a driver probe.
#pragma once

#include "faults/fault_manager.h"
#include "faults/func_kind.h"
#include "providers/provider.h"

namespace chaosrun::faults {

class FaultDispatcher final : public providers::Dispatcher {
 public:
  explicit FaultDispatcher(FaultManager& faults) : faults_(faults) {}
  providers::Outcome Run(const Json& activity, const Json& provider,
                         const providers::Context& ctx) override {
    if (provider.is_object() && provider.contains("type") && provider["type"] == "driver") {
      return faults_.Run(activity, provider, ctx.cancel);
    }
    return builtin_.Run(activity, provider, ctx);
  }
  bool ChangesWorld(const Json& provider) const override {
    if (provider.is_object() && provider.contains("type") && provider["type"] == "driver") {
      return DriverChangesWorld(faults_.registry(), provider);
    }
    return builtin_.ChangesWorld(provider);
  }

 private:
  FaultManager& faults_;
  providers::BuiltinDispatcher builtin_;
};

}  // namespace chaosrun::faults
