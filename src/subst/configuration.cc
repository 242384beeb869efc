// Resolution of the `configuration` and `secrets` blocks (ctk-spec §6.1, §6.2).
#include "subst/configuration.h"

#include <utility>

#include "subst/env_convert.h"

namespace chaosrun::subst {
namespace {

bool HasType(const Json& value, std::string_view type) {
  if (!value.is_object()) return false;
  auto it = value.find("type");
  return it != value.end() && it->is_string() && it->get_ref<const std::string&>() == type;
}

// The "key" of an env entry, which must be a string.
Result<std::string> EnvKey(const Json& entry, const std::string& where) {
  auto it = entry.find("key");
  if (it == entry.end() || !it->is_string()) {
    return Err(Status::InvalidArgument(where + ": an env entry needs a \"key\" string"));
  }
  return it->get<std::string>();
}

Result<Json> ResolveEnvConfig(const std::string& key, const Json& entry, const EnvLookup& env) {
  const std::string where = "configuration \"" + key + "\"";
  auto env_key = EnvKey(entry, where);
  if (!env_key) return Err(env_key.error());
  std::optional<std::string> from_env = env(*env_key);
  Json raw;
  if (from_env) {
    raw = std::move(*from_env);
  } else if (auto def = entry.find("default"); def != entry.end()) {
    raw = *def;
  } else {
    return Err(Status::InvalidArgument(
        "Configuration makes reference to an environment key that does not exist: " + *env_key));
  }
  auto type = entry.find("env_var_type");
  auto converted = internal::ConvertTyped(raw, type == entry.end() ? Json() : *type);
  if (!converted) {
    return Err(Status::InvalidArgument(where + ": " + converted.error().message()));
  }
  return converted;
}

// One level of the secrets tree. `extras` (var-file scopes) only apply at the top level, as in
// the reference, and replace a whole scope.
Result<Json> ResolveSecretLevel(const Json& level, const Json* extras, const EnvLookup& env,
                                const std::string& path) {
  Json out = Json::object();
  for (auto it = level.begin(); it != level.end(); ++it) {
    const std::string& key = it.key();
    const Json& value = it.value();
    const std::string where = path.empty() ? key : path + "." + key;
    if (!value.is_object()) {
      out[key] = value;
      continue;
    }
    if (extras != nullptr) {
      auto extra = extras->find(key);
      if (extra != extras->end() && !extra->is_null()) {
        out[key] = *extra;
        continue;
      }
    }
    if (HasType(value, "env")) {
      auto env_key = EnvKey(value, "secret \"" + where + "\"");
      if (!env_key) return Err(env_key.error());
      std::optional<std::string> secret = env(*env_key);
      if (!secret) {
        return Err(Status::InvalidArgument(
            "Secrets make reference to an environment key that does not exist: " + *env_key));
      }
      out[key] = std::move(*secret);
    } else if (HasType(value, "vault")) {
      return Err(Status::Unsupported(
          "secret \"" + where +
          "\" is read from HashiCorp Vault, which chaosrun does not support; use an "
          "{\"type\": \"env\"} secret instead"));
    } else {
      auto nested = ResolveSecretLevel(value, nullptr, env, where);
      if (!nested) return nested;
      out[key] = std::move(*nested);
    }
  }
  return out;
}

}  // namespace

Result<ResolvedConfiguration> ResolveConfiguration(const Json& declared, const Overrides& ovr,
                                                   const EnvLookup& env) {
  ResolvedConfiguration out;
  if (declared.is_null()) return out;
  if (!declared.is_object()) {
    return Err(Status::InvalidArgument("the experiment's configuration must be a mapping"));
  }
  for (auto it = declared.begin(); it != declared.end(); ++it) {
    const std::string& key = it.key();
    const Json* value = &it.value();
    if (ovr.configuration.is_object()) {
      if (auto o = ovr.configuration.find(key); o != ovr.configuration.end()) value = &*o;
    }
    if (HasType(*value, "env")) {
      auto resolved = ResolveEnvConfig(key, *value, env);
      if (!resolved) return Err(resolved.error());
      out.values[key] = std::move(*resolved);
      continue;
    }
    if (HasType(*value, "probe")) out.dynamic_keys.push_back(key);
    out.values[key] = *value;
  }
  return out;
}

Result<Json> ResolveSecrets(const Json& declared, const Overrides& ovr, const EnvLookup& env) {
  if (declared.is_null()) return Json::object();
  if (!declared.is_object()) {
    return Err(Status::InvalidArgument("the experiment's secrets must be a mapping"));
  }
  const Json* extras = ovr.secrets.is_object() ? &ovr.secrets : nullptr;
  return ResolveSecretLevel(declared, extras, env, "");
}

}  // namespace chaosrun::subst
