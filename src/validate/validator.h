// Validation of an experiment document (ctk-spec §10, reporting every problem: D8).
// Each Diagnostic names the field by JSON pointer into the *document as loaded* and says why.
// Validation never throws and never crashes, whatever the input.
//
// Pointers are RFC 6901: "" is the document root, "/method/2/provider/url" a field. A pointer may
// name a field that is *missing* ("/title: experiment requires a title"). Messages follow the
// reference's texts where it has one (ctk-spec §10), lightly tidied.
//
// Order: the reference's validation order (title, description, tags, extensions, configuration,
// secrets, hypothesis, method, rollbacks, controls), then runtime and contributions; within a
// list, by position.
//
// Thread-safety: Validate is reentrant; it calls the Options' functions from the calling thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "subst/configuration.h"

namespace chaosrun::validate {

struct Diagnostic {
  std::string pointer;  // "" for the document root, else "/method/2/provider/url"
  std::string message;  // "an HTTP activity must have a URL"
  bool warning = false;
  // "/method/2/provider/url: an HTTP activity must have a URL". The root pointer "" is shown as
  // "(document)", since "/" would be the pointer of a key named "". Warnings get a "warning: "
  // prefix before the message.
  std::string ToString() const;
};

// What a driver provider's `func` is for its driver: an action (changes the world) or a probe.
enum class DriverFunc { kUnknown, kAction, kProbe };

// Checks a `driver` provider against the loaded driver plugins (chaosrun's extension, design.md
// principle 5). `pointer` is the provider's pointer; append diagnostics to `out`. Returns what the
// func is (kUnknown when the driver or the func was not found, which it reports), so that the
// validator can hold it against the activity's type. The provider's keys are checked before.
using DriverCheck =
    std::function<DriverFunc(const Json& provider, const std::string& pointer,
                             const std::string& activity_name, std::vector<Diagnostic>& out)>;

// Resolves python activities and control modules (the reference imports them at validation).
class PythonCheck {
 public:
  virtual ~PythonCheck() = default;
  // The reference's validate_python_activity message for this provider block ("could not find
  // Python module ...", "... does not expose a function ...", a signature mismatch), or "" when
  // the module imports and the arguments bind. A Status when no check could be made (no Python).
  virtual Result<std::string> Activity(const Json& provider, const std::string& activity_name,
                                       const std::string& activity_type) = 0;
  // "" when the control module imports, else why not.
  virtual Result<std::string> ControlModule(const std::string& module) = 0;
};

// The check through a python bridge of its own (providers/python_bridge.h), started on first
// use. `interpreter` as --python ("" = $CHAOSRUN_PYTHON, else python3 on the PATH).
std::shared_ptr<PythonCheck> BridgePythonCheck(const std::string& interpreter = "");

struct Options {
  // Resolves a process `path` the way `which` does (bare names via PATH, names with '/' relative
  // to the working directory). Returns nullopt when not found; injectable for tests.
  // When empty, process paths are not looked up.
  std::function<std::optional<std::string>(const std::string&)> resolve_executable;
  subst::EnvLookup env;        // for configuration/secrets env entries; empty = no variables
  subst::Overrides overrides;  // --var / --var-file
  // Extension: when empty, every `driver` provider is an error ("... none is loaded").
  DriverCheck check_driver;
  // An unknown key one or two edits away from a known one ("steady-state-hypotesis") is a
  // warning naming the likely key; `strict` (validate --strict) makes it an error.
  bool strict = false;
  // Python activities and control modules are resolved through this (an error per activity
  // that does not resolve; no Python at all is said once). Null: only their shape is checked.
  std::shared_ptr<PythonCheck> python;
};

// resolve_executable = chaosrun::Which, env = subst::ProcessEnv(), no overrides, no drivers,
// python = BridgePythonCheck().
Options DefaultOptions();

// Returns errors (and warnings, marked) in the order above. No errors means valid.
std::vector<Diagnostic> Validate(const Json& document, const Options& options);

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace chaosrun::validate
