// `{type: probe, ...}`: run the tolerance activity with `value` injected (§5.2).
#include <string>

#include "tolerance/kinds.h"

namespace chaosrun::tolerance::internal {

Verdict EvaluateProbe(const Json& tolerance, const Json& value, const ProbeRunner& runner) {
  if (!runner) return NotMet("probe tolerances cannot run here (no probe runner)");
  Json activity = tolerance;  // the declared tolerance is never mutated
  auto provider = activity.find("provider");
  if (provider == activity.end() || !provider->is_object()) {
    return NotMet("the tolerance probe has no provider object");
  }
  // The reference requires an existing `arguments` object; a missing one is created.
  auto arguments = provider->find("arguments");
  if (arguments == provider->end()) {
    (*provider)["arguments"] = Json::object();
    arguments = provider->find("arguments");
  }
  if (!arguments->is_object()) {
    return NotMet("cannot inject `value` into the tolerance probe's " + TypeName(*arguments) +
                  " arguments");
  }
  (*arguments)["value"] = value;
  std::optional<Json> result = runner(activity);
  if (!result) return NotMet("the tolerance probe failed");
  if (!Truthy(*result)) return NotMet("the tolerance probe returned " + Show(*result));
  return Met();
}

}  // namespace chaosrun::tolerance::internal
