// The first steps of a run and of `validate`: the --var/--var-file overrides and loading the
// experiment document.
#pragma once

#include <string>
#include <vector>

#include "common/cancel.h"
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

// How an experiment is fetched from an http(s) URL (docs/settings.md, "Experiments from a URL").
struct SourceOptions {
  bool verify_tls = true;               // --no-verify-tls: false (this download only)
  Json auths = Json::object();          // the settings' `auths`: "host[:port]" -> {type, value}
  size_t max_bytes = size_t{16} << 20;  // a larger answer is refused
  double connect_timeout_seconds = 10;
  double timeout_seconds = 30;  // the whole download
  // The run's or validation's interrupt (Ctrl-C): cancels the download at once, which then fails
  // with "Interrupted: <reason> while fetching the experiment from URL; nothing was run".
  CancelToken cancel;
};

// A path to a JSON or YAML experiment, or an http:// or https:// URL: a GET with the reference's
// Accept header and Authorization (env CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN, else the settings'
// `auths` entry of the URL's host[:port]), parsed as its Content-Type says (application/json:
// JSON; application/x-yaml, text/yaml: YAML; text/plain: JSON, else YAML), else as the URL's
// path ends (.json, .yaml, .yml). A status other than 200, a larger answer than max_bytes, a
// timeout or a TLS failure is an error that says which (the run exits 1).
Result<Json> LoadSource(const std::string& source, const SourceOptions& options);
Result<Json> LoadSource(const std::string& source);  // default SourceOptions

// Whether `source` is an http:// or https:// URL.
bool IsUrl(const std::string& source);

// Whether any activity, anywhere in the document, has a `driver` provider (driver plugins are
// loaded only for experiments that use them: dlopen costs start-up time).
bool UsesDrivers(const Json& document);

}  // namespace chaosrun::session
