// libchaosrun_process.so: the "process" driver (killed instances) behind the C ABI.
// The logic lives in the chaosrun_process_driver library (actions.h); this file adapts it to
// the SDK and exports the entry point.
#include "chaosrun/driver_sdk.hpp"
#include "process/actions.h"
#include "process/descriptor.h"

namespace chaosrun::drivers::process {
namespace {

Env EnvOf(const sdk::Call& call) {
  Env env;
  env.cancelled = [&call] { return call.Cancelled(); };
  return env;
}

class ProcessDriver : public sdk::Driver {
 public:
  explicit ProcessDriver(const sdk::Host& host) : Driver(host) {}

  sdk::Reply Probe(const sdk::Call& call, const std::string& func,
                   const nlohmann::json& args) override {
    return NoThrow([&] { return process::Probe(func, args, EnvOf(call)); });
  }
  sdk::Reply Prepare(const sdk::Call& call, const std::string& func,
                     const nlohmann::json& args) override {
    return NoThrow([&] { return process::Prepare(func, args, EnvOf(call)); });
  }
  sdk::Reply Apply(const sdk::Call& call, const std::string& func,
                   const nlohmann::json& plan) override {
    return NoThrow([&] {
      sdk::Reply r = process::Apply(func, plan, EnvOf(call));
      if (r.status == CHAOSRUN_OK) host().Log(CHAOSRUN_LOG_INFO, func + ": " + r.value.dump());
      return r;
    });
  }
  sdk::Reply Undo(const sdk::Call& call, const std::string& func,
                  const nlohmann::json& undo) override {
    return NoThrow([&] { return process::Undo(func, undo, EnvOf(call)); });
  }
};

}  // namespace
}  // namespace chaosrun::drivers::process

CHAOSRUN_EXPORT_DRIVER(chaosrun::drivers::process::ProcessDriver,
                       chaosrun::drivers::process::DescriptorJson())
