// Validation of an experiment document (ctk-spec §10, reporting every problem: D8).
// Each Diagnostic names the field by JSON pointer into the *document as loaded* and says why.
// Validation never throws and never crashes, whatever the input.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "subst/configuration.h"

namespace chaosrun::validate {

struct Diagnostic {
  std::string pointer;  // "" for the document root, else "/method/2/provider/url"
  std::string message;  // "an http activity needs a url"
  bool warning = false;
  std::string ToString() const;  // "/method/2/provider/url: an http activity needs a url"
};

struct Options {
  // Resolves a process `path` the way `which` does (bare names via PATH, names with '/' relative
  // to the working directory). Returns nullopt when not found; injectable for tests.
  std::function<std::optional<std::string>(const std::string&)> resolve_executable;
  subst::EnvLookup env;            // for configuration/secrets env entries
  subst::Overrides overrides;      // --var / --var-file
};

Options DefaultOptions();

// Returns errors (and warnings, marked) in document order. Empty errors means valid.
std::vector<Diagnostic> Validate(const Json& document, const Options& options);

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace chaosrun::validate
