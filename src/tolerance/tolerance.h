// Tolerances: does a probe's output meet the steady-state hypothesis? (ctk-spec §5.2, with D4:
// nothing here can crash a run; a tolerance that cannot apply is simply not met, with a reason.)
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/json.h"
#include "common/status.h"
#include "subst/template.h"

namespace chaosrun::tolerance {

struct Verdict {
  bool met = false;
  std::string reason;  // why not met (empty when met); goes to the journal and the log
};

// Runs a `{type: probe}` tolerance activity with `value` injected as provider.arguments.value and
// returns its output; an unexpected failure is returned as nullopt (not met). Supplied by the
// engine; when absent, probe tolerances are not met with a reason.
using ProbeRunner = std::function<std::optional<Json>(const Json& activity)>;

// Evaluates `tolerance` (raw, as declared) against `value`. String tolerances, regex patterns and
// jsonpath paths/expectations are ${}-substituted with `scope` first.
Verdict Evaluate(const Json& tolerance, const Json& value, const subst::Scope& scope,
                 const ProbeRunner& probe_runner = nullptr);

}  // namespace chaosrun::tolerance

namespace chaosrun::tolerance {
// Compiles a Python-`re`-compatible pattern with PCRE2; the error says why and where.
Status CheckRegex(const std::string& pattern);
}  // namespace chaosrun::tolerance
