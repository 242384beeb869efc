// libchaosrun_telemetry.so: the "telemetry" driver behind the C ABI. The logic lives in the
// chaosrun_telemetry_driver library (actions.h); this file adapts it to the SDK and exports the
// entry point.
#include "chaosrun/driver_sdk.hpp"
#include "telemetry/actions.h"
#include "telemetry/descriptor.h"

namespace chaosrun::drivers::telemetry {
namespace {

class TelemetryDriver : public sdk::Driver {
 public:
  explicit TelemetryDriver(const sdk::Host& host) : Driver(host) {}

  sdk::Reply Probe(const sdk::Call& call, const std::string& func,
                   const nlohmann::json& args) override {
    return NoThrow([&] { return telemetry::Probe(func, args, EnvOf(call)); });
  }
  sdk::Reply Prepare(const sdk::Call& call, const std::string& func,
                     const nlohmann::json& args) override {
    return NoThrow([&] { return telemetry::Prepare(func, args, EnvOf(call)); });
  }
  sdk::Reply Apply(const sdk::Call& call, const std::string& func,
                   const nlohmann::json& plan) override {
    return NoThrow([&] {
      sdk::Reply r = telemetry::Apply(func, plan, EnvOf(call));
      if (r.status == CHAOSRUN_OK) host().Log(CHAOSRUN_LOG_INFO, func + ": " + r.value.dump());
      return r;
    });
  }
  sdk::Reply Undo(const sdk::Call& call, const std::string& func,
                  const nlohmann::json& undo) override {
    return NoThrow([&] { return telemetry::Undo(func, undo, EnvOf(call)); });
  }

 private:
  Env EnvOf(const sdk::Call& call) const {
    Env env;
    env.cancelled = [&call] { return call.Cancelled(); };
    const sdk::Host& h = host();
    if (h.api() != nullptr && h.api()->monotonic_ns != nullptr) {
      env.monotonic_ns = [&h] { return h.MonotonicNs(); };
    }
    return env;
  }
};

}  // namespace
}  // namespace chaosrun::drivers::telemetry

CHAOSRUN_EXPORT_DRIVER(chaosrun::drivers::telemetry::TelemetryDriver,
                       chaosrun::drivers::telemetry::DescriptorJson())
