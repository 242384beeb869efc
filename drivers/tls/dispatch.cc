// Routes each call by name.
#include "tls/actions.h"

namespace chaosrun::drivers::tls {

namespace {

constexpr const char* kReplace = "replace_certificate";

sdk::Reply NoAction(const std::string& func) {
  return sdk::Reply::Unsupported("the tls driver has no action named '" + func + "'");
}

}  // namespace

sdk::Reply Prepare(const std::string& func, const nlohmann::json& args, const Env& env) {
  return NoThrow([&] { return func == kReplace ? PrepareReplace(args, env) : NoAction(func); });
}

sdk::Reply Apply(const std::string& func, const nlohmann::json& plan, const Env& env) {
  return NoThrow([&] { return func == kReplace ? ApplyReplace(plan, env) : NoAction(func); });
}

sdk::Reply Undo(const std::string& func, const nlohmann::json& undo, const Env& env) {
  return NoThrow([&] { return func == kReplace ? UndoReplace(undo, env) : NoAction(func); });
}

sdk::Reply Probe(const std::string& func, const nlohmann::json& args, const Env& env) {
  return NoThrow([&] {
    if (func == "tls_certificate") return ProbeCertificate(args, env);
    return sdk::Reply::Unsupported("the tls driver has no probe named '" + func + "'");
  });
}

}  // namespace chaosrun::drivers::tls
