// `configuration` and `secrets` (ctk-spec §6.1, §6.2, §10 steps 6-7, 13). The resolution itself
// is subst's; here each key (each secret) is resolved on its own so that every unresolvable entry
// is reported at its own pointer, and the resolved values feed later checks (patterns, paths).
#include "subst/configuration.h"

#include <string>

#include "validate/internal.h"

namespace chaosrun::validate::internal {
namespace {

constexpr int kMaxDepth = 64;

// The KEY at the end of "...does not exist: KEY", or "".
std::string TrailingKey(const std::string& message) {
  const size_t colon = message.rfind(": ");
  return colon == std::string::npos ? std::string() : message.substr(colon + 2);
}

// The pointer (below `ptr`) of the `{type: env, key: KEY}` declaration inside `value`, if any.
std::optional<std::string> FindEnvDeclaration(const Json& value, const std::string& key,
                                              const std::string& ptr, int depth = 0) {
  if (!value.is_object() || depth > kMaxDepth || key.empty()) return std::nullopt;
  if (StringMember(value, "type") == "env" && StringMember(value, "key") == key) return ptr;
  for (const auto& [k, v] : value.items()) {
    if (auto found = FindEnvDeclaration(v, key, PointerAppend(ptr, k), depth + 1)) return found;
  }
  return std::nullopt;
}

// Copies the members of `from` into `into` (an object), replacing existing ones.
void MergeInto(Json& into, const Json& from) {
  if (!from.is_object()) return;
  for (const auto& [k, v] : from.items()) into[k] = v;
}

}  // namespace

void CheckConfiguration(Context& ctx, const Json& document) {
  const Json* declared = Member(document, "configuration");
  if (declared == nullptr || declared->is_null()) return;
  if (!declared->is_object()) {
    ctx.Error("/configuration", "configuration must be a mapping of names to values");
    return;
  }
  Json values = Json::object();
  for (const auto& [key, declaration] : declared->items()) {
    Json one = Json::object();
    one[key] = declaration;
    auto resolved = subst::ResolveConfiguration(one, ctx.options().overrides, ctx.env());
    if (!resolved) {
      ctx.Error(PointerAppend("/configuration", key), resolved.error().message());
      continue;
    }
    MergeInto(values, resolved->values);
  }
  ctx.scope = subst::Scope(std::move(values), ctx.scope.secrets());
}

namespace {

void WarnDeprecatedVault(Context& ctx, const Json& value, const std::string& ptr, int depth = 0) {
  if (!value.is_object() || depth > kMaxDepth) return;
  if (StringMember(value, "type") == "vault") {
    if (Member(value, "key") != nullptr && Member(value, "path") == nullptr) {
      ctx.Warn(ptr, "a vault secret with a `key` but no `path` is deprecated; use `path`");
    }
    return;
  }
  for (const auto& [k, v] : value.items()) WarnDeprecatedVault(ctx, v, PointerAppend(ptr, k));
}

// Resolves one secret (`name` in `scope`); reports at the env declaration when it can tell.
void ResolveOneSecret(Context& ctx, const std::string& scope, const std::string& name,
                      const Json& declaration, Json& resolved_secrets) {
  const std::string ptr = PointerAppend(PointerAppend("/secrets", scope), name);
  WarnDeprecatedVault(ctx, declaration, ptr);
  Json one = Json::object();
  one[scope] = Json::object();
  one[scope][name] = declaration;
  auto resolved = subst::ResolveSecrets(one, ctx.options().overrides, ctx.env());
  if (!resolved) {
    const std::string& message = resolved.error().message();
    auto where = FindEnvDeclaration(declaration, TrailingKey(message), ptr);
    ctx.Error(where.value_or(ptr), message);
    return;
  }
  if (!resolved->is_object()) return;
  for (const auto& [s, values] : resolved->items()) {
    if (!resolved_secrets.contains(s)) resolved_secrets[s] = Json::object();
    MergeInto(resolved_secrets[s], values);
  }
}

}  // namespace

void CheckSecrets(Context& ctx, const Json& document) {
  const Json* declared = Member(document, "secrets");
  if (declared == nullptr || declared->is_null()) return;
  if (!declared->is_object()) {
    ctx.Error("/secrets", "secrets must be a mapping of scopes to secrets");
    return;
  }
  Json secrets = Json::object();
  for (const auto& [scope, entries] : declared->items()) {
    if (!entries.is_object()) {
      ctx.Error(PointerAppend("/secrets", scope),
                "a secrets scope must be a mapping of names to secrets");
      continue;
    }
    if (entries.empty()) {
      secrets[scope] = Json::object();
      continue;
    }
    for (const auto& [name, declaration] : entries.items()) {
      ResolveOneSecret(ctx, scope, name, declaration, secrets);
    }
  }
  ctx.scope = subst::Scope(ctx.scope.configuration(), std::move(secrets));
}

}  // namespace chaosrun::validate::internal
