// The ML driver ("ml"): the SDK class, the action table, the one exported entry point.
// Built out of tree against the installed SDK (see CMakeLists.txt); the actions are described in
// actions.h and docs/driver-ml.md.
//
// Threads: the descriptor declares "concurrent_calls": true. The driver keeps no mutable state:
// every action works on its arguments and locals only; libcurl's global init runs once
// (std::call_once); the host callbacks are thread-safe.
#include "actions.h"

namespace chaosrun_ml {

namespace {

Reply ApplyStaleModel(const json& p, const Env& e) { return ApplyFileSwap("stale_model", p, e); }
Reply UndoStaleModel(const json& u, const Env& e) { return UndoFileSwap("stale_model", u, e); }
Reply ApplyCorrupt(const json& p, const Env& e) { return ApplyFileSwap("corrupt_model", p, e); }
Reply UndoCorrupt(const json& u, const Env& e) { return UndoFileSwap("corrupt_model", u, e); }
Reply ApplyConfig(const json& p, const Env& e) {
  return ApplyFileSwap("stale_training_config", p, e);
}
Reply UndoConfig(const json& u, const Env& e) {
  return UndoFileSwap("stale_training_config", u, e);
}
Reply ApplyPipeline(const json& p, const Env& e) { return ApplyFileSwap("stale_pipeline", p, e); }
Reply UndoPipeline(const json& u, const Env& e) { return UndoFileSwap("stale_pipeline", u, e); }

constexpr Action kActions[] = {
    {"stale_model", &PrepareStaleModel, &ApplyStaleModel, &UndoStaleModel},
    {"corrupt_model", &PrepareCorruptModel, &ApplyCorrupt, &UndoCorrupt},
    {"stale_training_config", &PrepareStaleTrainingConfig, &ApplyConfig, &UndoConfig},
    {"stale_pipeline", &PrepareStalePipeline, &ApplyPipeline, &UndoPipeline},
    {"freeze_dataset", &PrepareFreeze, &ApplyFreeze, &UndoFreeze},
    {"schema_drift", &PrepareSchemaDrift, &ApplySchemaDrift, &UndoSchemaDrift},
    {"overload_telemetry", &PrepareOverload, &ApplyOverload, &UndoOverload},
};

class MlDriver : public chaosrun::sdk::Driver {
 public:
  explicit MlDriver(const chaosrun::sdk::Host& host) : Driver(host) {}

  Reply Prepare(const chaosrun::sdk::Call& call, const std::string& func,
                const json& args) override {
    const Action* a = FindAction(func);
    if (a == nullptr) return Reply::Unsupported("no action named '" + func + "'");
    Reply r = a->prepare(args, MakeEnv(call));
    // The ledger keeps only the undo; a plan without one would be refused by the host anyway.
    if (r.status == CHAOSRUN_OK && (!r.value.is_object() || !r.value.contains("undo"))) {
      return Reply::Error(CHAOSRUN_INTERNAL, func + ": prepare computed no undo");
    }
    return r;
  }
  Reply Apply(const chaosrun::sdk::Call& call, const std::string& func, const json& plan) override {
    const Action* a = FindAction(func);
    if (a == nullptr) return Reply::Unsupported("no action named '" + func + "'");
    return a->apply(plan, MakeEnv(call));
  }
  Reply Undo(const chaosrun::sdk::Call& call, const std::string& func, const json& undo) override {
    const Action* a = FindAction(func);
    if (a == nullptr) return Reply::Unsupported("no action named '" + func + "'");
    return a->undo(undo, MakeEnv(call));
  }

 private:
  // The Call lives on the caller's stack for the whole call: capturing it by reference is safe.
  Env MakeEnv(const chaosrun::sdk::Call& call) const {
    Env env;
    env.cancelled = [&call] { return call.Cancelled(); };
    const chaosrun::sdk::Host& h = call.host();
    env.log = [&h](chaosrun_log_level level, const std::string& text) { h.Log(level, text); };
    return env;
  }
};

}  // namespace

const Action* FindAction(const std::string& name) {
  for (const Action& a : kActions) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

}  // namespace chaosrun_ml

CHAOSRUN_EXPORT_DRIVER(chaosrun_ml::MlDriver, chaosrun_ml::Descriptor())
