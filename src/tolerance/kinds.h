// One evaluator per object tolerance `type` (internal to the tolerance module), plus the
// helpers they share. Each returns a Verdict; none throws or crashes on any input (D4).
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "subst/template.h"
#include "tolerance/tolerance.h"

namespace chaosrun::tolerance::internal {

inline Verdict Met() { return {true, ""}; }
inline Verdict NotMet(std::string reason) { return {false, std::move(reason)}; }

// Compact JSON for messages, shortened to about `limit` characters.
std::string Show(const Json& v, size_t limit = 120);
// "string", "object", "integer", ... for messages.
std::string TypeName(const Json& v);

// `value` narrowed by the tolerance's `target` key (ctk-spec §5.2), or the reason it cannot be.
struct Targeted {
  bool ok = true;
  Json value;
  std::string reason;
};
enum class MissingTarget { kWholeValue, kNull };
Targeted ApplyTarget(const Json& tolerance, const Json& value, MissingTarget missing);

Verdict EvaluateRange(const Json& tolerance, const Json& value);
Verdict EvaluateRegex(const Json& tolerance, const Json& value, const subst::Scope& scope);
Verdict EvaluateJsonPath(const Json& tolerance, const Json& value, const subst::Scope& scope);
Verdict EvaluateProbe(const Json& tolerance, const Json& value, const ProbeRunner& runner);

// Inclusive range A[0] <= value <= A[1] with Python comparison semantics (list tolerances).
Verdict EvaluateListRange(const Json& bounds, const Json& value);

}  // namespace chaosrun::tolerance::internal
