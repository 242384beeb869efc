// Controls (ctk-spec §8.8): python controls run through the run's python bridge at the
// reference's hook points, with the reference's arguments and its rules for which controls apply
// at a level (global controls from --control-file, the experiment's, the hypothesis's, an
// activity's; top-level `automatic` controls propagate).
//
// Load() imports every control module before anything runs: a control that cannot be loaded is
// an error (the reference only warns). configure_control is called once per control name,
// cleanup_control at the end. A hook that raises chaoslib's InterruptExecution interrupts the run
// (RunContext::Interrupt); any other exception is logged and the run goes on, as the reference.
//
// Mutations a hook makes to its context, configuration or secrets stay in the bridge (it is
// another process): chaosrun's run does not see them (docs/python.md).
//
// Thread-safety: the hooks may be called from any thread (background activities); Load and
// Cleanup from the run's thread.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "engine/context.h"
#include "providers/python_bridge.h"

namespace chaosrun::engine {

// The --control-file documents, merged in order (a later file's control of the same name wins):
// each must be a mapping name -> control. An error names the file.
Result<Json> LoadControlFiles(const std::vector<std::string>& paths);

enum class ControlLevel { kExperiment, kHypothesis, kMethod, kRollback, kActivity };

class Controls {
 public:
  // `global_controls`: name -> control (--control-file), applied at every level first.
  Controls(RunContext& ctx, providers::PythonBridge& bridge, Json global_controls);

  // True when no python control is declared anywhere: every hook is then a no-op.
  bool empty() const { return modules_.empty() && globals_.empty(); }

  // Imports every control's module, then calls configure_control once per control name.
  Status Load();
  void Cleanup();

  // `context`: the experiment (experiment, method, rollback levels), the hypothesis, or the
  // activity. `state` for After: the journal, the hypothesis state, the list of run records, the
  // run record.
  void Before(ControlLevel level, const Json& context);
  void After(ControlLevel level, const Json& context, const Json& state);

  // The controls that apply at `level` for `context`, in order (the reference's
  // get_context_controls, quirks included). Public for tests.
  std::vector<Json> ContextControls(ControlLevel level, const Json& context) const;

 private:
  void Apply(ControlLevel level, const Json& context, const char* scope, const Json* state);
  bool Call(const Json& control, const std::string& hook, Json request, bool cancellable);

  RunContext& ctx_;
  providers::PythonBridge& bridge_;
  std::vector<Json> globals_;
  std::map<std::string, std::set<std::string>> modules_;  // module -> the hooks it defines
  std::mutex mu_;
};

}  // namespace chaosrun::engine
