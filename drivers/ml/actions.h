// The ML driver's actions, each a prepare/apply/undo triple (docs/driver-ml.md). Every function
// is stateless and thread-safe (the descriptor declares "concurrent_calls": true).
//
//   file faults   stale_model, corrupt_model, stale_training_config, stale_pipeline
//                 (file_faults.cc on top of file_swap.cc: one small file replaced atomically,
//                 its original bytes in the undo, restored and checked by SHA-256)
//   freeze_dataset      SIGSTOP / SIGCONT of one process, identified by pid + start time
//   schema_drift        a json_rewrite toxic through the fault proxy's HTTP API
//   overload_telemetry  a bounded load generator process (double-forked, ends by itself)
#pragma once

#include <functional>
#include <string>

#include "chaosrun/driver_sdk.hpp"
#include "util.h"

namespace chaosrun_ml {

using chaosrun::sdk::Reply;

// What an action may ask of the host.
struct Env {
  std::function<bool()> cancelled;
  std::function<void(chaosrun_log_level, const std::string&)> log;
};

struct Action {
  const char* name;
  Reply (*prepare)(const json& args, const Env& env);
  Reply (*apply)(const json& plan, const Env& env);
  Reply (*undo)(const json& undo, const Env& env);
};

// The action called `name`, or nullptr.
const Action* FindAction(const std::string& name);

// The descriptor (descriptor.cc).
const char* Descriptor();

// ---- file_swap.cc: the shared mechanics of the four file faults ----
// A plan that replaces the small regular file `path` (its current state `original`) by `fault`
// bytes; `reload_url` ("" = none) is POSTed after the change and after the undo. `extra` keys
// are added to the plan (what the fault is, for the journal).
json FileSwapPlan(const std::string& func, const std::string& path, const FileState& original,
                  const std::string& fault, const std::string& reload_url, const json& extra);
Reply ApplyFileSwap(const std::string& func, const json& plan, const Env& env);
Reply UndoFileSwap(const std::string& func, const json& undo, const Env& env);
// Reads the file for a fault: canonical path, state; "" or the error (for Reply::Failed).
std::string ReadForFault(const std::string& arg, const std::string& path, std::string* canonical,
                         FileState* state);
// reload_url: nullopt/"" when absent; error when not http(s)://.
std::string ReloadUrlArg(const json& args, std::string* url);

// ---- the actions ----
Reply PrepareStaleModel(const json& args, const Env& env);
Reply PrepareCorruptModel(const json& args, const Env& env);
Reply PrepareStaleTrainingConfig(const json& args, const Env& env);
Reply PrepareStalePipeline(const json& args, const Env& env);

Reply PrepareFreeze(const json& args, const Env& env);
Reply ApplyFreeze(const json& plan, const Env& env);
Reply UndoFreeze(const json& undo, const Env& env);

Reply PrepareSchemaDrift(const json& args, const Env& env);
Reply ApplySchemaDrift(const json& plan, const Env& env);
Reply UndoSchemaDrift(const json& undo, const Env& env);

Reply PrepareOverload(const json& args, const Env& env);
Reply ApplyOverload(const json& plan, const Env& env);
Reply UndoOverload(const json& undo, const Env& env);

}  // namespace chaosrun_ml
