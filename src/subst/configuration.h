// Resolving the experiment's `configuration` and `secrets` blocks, `--var`, `--var-file` and
// `.env` files (ctk-spec §6.1–§6.3). Never throws.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::subst {

// Reads an environment variable; injectable for tests. Default: ::getenv.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Converts an env string by `env_var_type` (str|string|int|integer|float|number|bytes|bool|json).
Result<Json> ConvertEnvValue(const std::string& text, const std::string& type);

// Overrides from the command line and var-files.
struct Overrides {
  Json configuration = Json::object();  // key -> value (replaces the declaration)
  Json secrets = Json::object();        // scope -> {..} (replaces the whole scope)
};

// Parses one `--var` argument: `key=value` or `key:type=value`. Errors name the argument.
// Precedence is `--var` > var-files: load every var-file first, then parse the `--var`s.
Status ParseVarArgument(const std::string& arg, Overrides& out);

// Loads one `--var-file`. JSON/YAML with `configuration`/`secrets` blocks merge into `out`
// (later files override earlier). Any other file, or one that parses to nothing, is a .env file:
// its KEY=VALUE lines are set in the process environment (setenv); a bad line is an error naming
// file and line, and then nothing is set. An empty file is skipped. A missing file, or a JSON/YAML
// file that does not parse, is an error (the reference logs and skips both).
Status LoadVarFile(const std::string& path, Overrides& out);

// Resolves `configuration` (declaration order): overrides replace declarations, env entries read
// the environment (with `default` and `env_var_type`), everything else is kept as-is. Vars for
// undeclared keys are dropped. `type: probe` entries (dynamic configuration) are left in place
// and listed in `dynamic_keys` for the engine to run. Error message as the reference's:
// "Configuration makes reference to an environment key that does not exist: KEY".
struct ResolvedConfiguration {
  Json values = Json::object();
  std::vector<std::string> dynamic_keys;
};
Result<ResolvedConfiguration> ResolveConfiguration(const Json& declared, const Overrides& ovr,
                                                   const EnvLookup& env);

// Resolves `secrets`: inline values, `{type: env, key}` (no default), nested objects. Vault
// entries are rejected with a clear Unsupported status. Error message as the reference's:
// "Secrets make reference to an environment key that does not exist: KEY".
Result<Json> ResolveSecrets(const Json& declared, const Overrides& ovr, const EnvLookup& env);

}  // namespace chaosrun::subst
