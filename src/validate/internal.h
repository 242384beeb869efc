// Internals of the validator: the shared context and one checker per concept. Not installed;
// only src/validate/*.cc include this.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/nearest.h"
#include "subst/template.h"
#include "validate/validator.h"

namespace chaosrun::validate::internal {

// Where an activity sits; decides how its `ref` is checked.
enum class Place { kHypothesis, kMethod, kRollback, kToleranceProbe };

class Context {
 public:
  explicit Context(const Options& options);

  void Error(std::string pointer, std::string message);
  void Warn(std::string pointer, std::string message);
  // A likely typo: a warning, or an error under Options::strict.
  void Typo(std::string pointer, std::string message);
  std::vector<Diagnostic> Take() { return std::move(out_); }
  std::vector<Diagnostic>& diagnostics() { return out_; }

  const Options& options() const { return options_; }
  // Never empty: returns nullopt for every name when Options::env is empty.
  const subst::EnvLookup& env() const { return env_; }

  // Configuration and secrets as far as they resolved (failed keys are missing).
  subst::Scope scope;
  // Names of full activities in the method and the hypothesis probes: what refs may name.
  std::set<std::string> activity_names;
  // Names of the top-level controls: what control refs may name.
  std::set<std::string> control_names;
  // Python could not be reached (no interpreter): said once, at the first python activity.
  bool python_unavailable_said = false;

 private:
  const Options& options_;
  subst::EnvLookup env_;
  std::vector<Diagnostic> out_;
};

// configuration.cc: resolves `configuration` and `secrets` (errors per key) and fills ctx.scope.
void CheckConfiguration(Context& ctx, const Json& document);
void CheckSecrets(Context& ctx, const Json& document);

// safety.cc: chaosrun's `blast-radius` and `safeguards` keys.
void CheckBlastRadius(Context& ctx, const Json& document);
void CheckSafeguards(Context& ctx, const Json& document);

// hypothesis.cc
void CheckHypothesis(Context& ctx, const Json& hypothesis, const std::string& pointer);
// tolerance.cc: the §5.1 rules for a hypothesis probe's `tolerance`.
void CheckTolerance(Context& ctx, const Json& tolerance, const std::string& pointer);

// activity.cc: §10.11 for one activity (ref or full), including its controls.
void CheckActivity(Context& ctx, const Json& activity, const std::string& pointer, Place place);
// Checks each element of a list of activities (`what` names the list in messages).
void CheckActivityList(Context& ctx, const Json& list, const std::string& pointer, Place place,
                       std::string_view what);

// provider.cc: provider object of the activity named `activity_name` whose `type` is
// `activity_type` ("probe", "action", or "" when missing or not a string).
void CheckProvider(Context& ctx, const Json& provider, const std::string& pointer,
                   const std::string& activity_name, const std::string& activity_type);

// keys.cc: unknown keys. EditDistance and LikelyKey are common/nearest.h's.
using ::chaosrun::EditDistance;
using ::chaosrun::LikelyKey;
// Each key of `obj` (an object) that is not in `known` but is a likely typo of one gets
// ctx.Typo at its pointer: "unknown key; did you mean 'KEY'?". Other unknown keys are kept
// silently (Chaos Toolkit keeps them; extensions are legitimate).
void CheckLikelyTypos(Context& ctx, const Json& obj, const std::string& pointer,
                      std::span<const std::string_view> known);

// controls.cc: a `controls` list at any level. Only the top-level list is validated by the
// reference, and a public experiment declares hypothesis controls as a mapping: below the top
// level (`top_level` false) a value that is not a list is a warning (it is ignored), not an error.
void CheckControls(Context& ctx, const Json& controls, const std::string& pointer, bool top_level);

// Helpers (experiment.cc).
// Python's numbers.Number: integers, floats and booleans.
bool IsPythonNumber(const Json& v);
bool IsInteger(const Json& v);
// Python's truthiness of a value that must be present: missing/null/""/0/false/{}/[] are falsy.
bool IsBlank(const Json* v);
// "${...}" exactly (a whole-string placeholder), as pauses and http timeouts allow.
bool IsWholePlaceholder(const Json& v);
// Substitutes `text` with ctx.scope; nullopt when the result is not a string or still holds a
// placeholder (then the caller skips checks that need the final text).
std::optional<std::string> SubstituteForCheck(const Context& ctx, const std::string& text);
// The value of member `key` of object `obj`, or nullptr (also when `obj` is not an object).
const Json* Member(const Json& obj, std::string_view key);
// A string member's value, or "" when absent or not a string.
std::string StringMember(const Json& obj, std::string_view key);

}  // namespace chaosrun::validate::internal
