// Running one activity (ctk-spec §3.1): resolve a `ref`, substitute, honour pauses and dry modes,
// call the provider through the dispatcher, and build the journal's run record
// {activity, output, start, status, [exception], end, duration}.
#pragma once

#include <optional>
#include <string>

#include "common/json.h"
#include "common/status.h"
#include "engine/context.h"

namespace chaosrun::engine {

// Resolves `{"ref": "name"}` against the method, the hypothesis probes and the rollbacks (later
// definitions win, method before hypothesis, as the reference). A full activity is returned as is.
Result<Json> ResolveRef(const Json& activity, const Json& experiment);

// Substitutes the parts of a provider block the reference substitutes (§6.4): arguments (when
// configuration or secrets exist), http url/headers/timeout. Never the process path or method.
Json SubstituteProvider(const Json& provider, const subst::Scope& scope);

// Runs the activity and returns its run record. `interrupted` is set when a cancellation cut the
// provider short (the record then has no `status`). `phase` is what the observer is told
// (OnActivityStarted, OnPause).
Json RunActivity(const Json& activity, RunContext& ctx, bool* interrupted = nullptr,
                 Phase phase = Phase::kMethod);

bool IsProbe(const Json& activity);
std::string ActivityName(const Json& activity);

}  // namespace chaosrun::engine
