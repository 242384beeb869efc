// The first steps of a run and of `validate`: the --var/--var-file overrides and loading the
// experiment document.
#pragma once

#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "subst/configuration.h"

namespace chaosrun::session {

// Precedence: `vars` > `var_files` (in order) > the experiment's declarations. An error names
// the argument or the file; a front end reports it as a usage error.
Status BuildOverrides(const std::vector<std::string>& var_files,
                      const std::vector<std::string>& vars, subst::Overrides& out);

// `extra` on top of `out` (its configuration keys and secret scopes replace those in `out`).
void MergeOverrides(const subst::Overrides& extra, subst::Overrides& out);

// A path to a JSON or YAML experiment; an http(s) URL is refused (not supported yet).
Result<Json> LoadSource(const std::string& source);

// Whether any activity, anywhere in the document, has a `driver` provider (driver plugins are
// loaded only for experiments that use them: dlopen costs start-up time).
bool UsesDrivers(const Json& document);

}  // namespace chaosrun::session
