// libchaosrun_tls.so: the "tls" driver (certificate faults) behind the C ABI. The logic lives in
// the chaosrun_tls_driver library (actions.h); this file adapts it to the SDK and exports the
// entry point.
#include "chaosrun/driver_sdk.hpp"
#include "tls/actions.h"
#include "tls/descriptor.h"

namespace chaosrun::drivers::tls {
namespace {

class TlsDriver : public sdk::Driver {
 public:
  explicit TlsDriver(const sdk::Host& host) : Driver(host) {}

  sdk::Reply Probe(const sdk::Call& call, const std::string& func,
                   const nlohmann::json& args) override {
    return NoThrow([&] { return tls::Probe(func, args, EnvOf(call)); });
  }
  sdk::Reply Prepare(const sdk::Call& call, const std::string& func,
                     const nlohmann::json& args) override {
    return NoThrow([&] { return tls::Prepare(func, args, EnvOf(call)); });
  }
  sdk::Reply Apply(const sdk::Call& call, const std::string& func,
                   const nlohmann::json& plan) override {
    return NoThrow([&] {
      sdk::Reply r = tls::Apply(func, plan, EnvOf(call));
      if (r.status == CHAOSRUN_OK) host().Log(CHAOSRUN_LOG_INFO, func + ": " + r.value.dump());
      return r;
    });
  }
  sdk::Reply Undo(const sdk::Call& call, const std::string& func,
                  const nlohmann::json& undo) override {
    return NoThrow([&] { return tls::Undo(func, undo, EnvOf(call)); });
  }

 private:
  static Env EnvOf(const sdk::Call& call) {
    Env env;
    env.cancelled = [&call] { return call.Cancelled(); };
    return env;
  }
};

}  // namespace
}  // namespace chaosrun::drivers::tls

CHAOSRUN_EXPORT_DRIVER(chaosrun::drivers::tls::TlsDriver, chaosrun::drivers::tls::DescriptorJson())
