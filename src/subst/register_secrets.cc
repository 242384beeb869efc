#include "subst/register_secrets.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/encoding.h"

namespace chaosrun::subst {
namespace {

// One declared secret (or a nested scope of them).
void RegisterDeclared(const Json& value, const EnvLookup& env, Redactor& redactor) {
  if (!value.is_object()) {
    redactor.AddJson(value);
    return;
  }
  auto type = value.find("type");
  if (type != value.end() && type->is_string()) {
    const std::string& t = type->get_ref<const std::string&>();
    if (t == "env") {
      auto key = value.find("key");
      if (key == value.end() || !key->is_string() || !env) return;
      if (auto found = env(key->get<std::string>())) redactor.Add(*found);
      return;
    }
    if (t == "vault") return;
  }
  for (const auto& nested : value) RegisterDeclared(nested, env, redactor);
}

// "scheme://user:password@host..." -> {user, password}, percent-decoded as curl does (kept as
// written when an escape is malformed). nullopt without a userinfo or a password.
std::optional<std::pair<std::string, std::string>> UrlUserinfo(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = rest.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view userinfo = rest.substr(0, at);
  const size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto decode = [](std::string_view s) {
    auto decoded = PercentDecode(s);
    return decoded ? std::move(*decoded) : std::string(s);
  };
  return std::make_pair(decode(userinfo.substr(0, colon)), decode(userinfo.substr(colon + 1)));
}

void RegisterHttpUrls(const Json& value, const Scope& scope, Redactor& redactor) {
  if (value.is_array()) {
    for (const auto& v : value) RegisterHttpUrls(v, scope, redactor);
    return;
  }
  if (!value.is_object()) return;
  auto type = value.find("type");
  auto url = value.find("url");
  if (type != value.end() && type->is_string() && type->get_ref<const std::string&>() == "http" &&
      url != value.end() && url->is_string()) {
    const Json substituted = SubstituteString(url->get_ref<const std::string&>(), scope);
    if (substituted.is_string()) {
      if (auto credentials = UrlUserinfo(substituted.get_ref<const std::string&>())) {
        redactor.Add(credentials->second);
        redactor.AddBasicAuth(credentials->first, credentials->second);
      }
    }
  }
  for (const auto& v : value) RegisterHttpUrls(v, scope, redactor);
}

}  // namespace

void RegisterDocumentSecrets(const Json& document, const Overrides& overrides, const EnvLookup& env,
                             Redactor& redactor) {
  if (document.is_object()) {
    if (auto secrets = document.find("secrets"); secrets != document.end()) {
      if (secrets->is_object()) {
        for (const auto& scope : *secrets) RegisterDeclared(scope, env, redactor);
      }
    }
  }
  if (overrides.secrets.is_object()) {
    for (const auto& scope : overrides.secrets) RegisterDeclared(scope, env, redactor);
  }
}

void RegisterUrlCredentials(const Json& document, const Scope& scope, Redactor& redactor) {
  RegisterHttpUrls(document, scope, redactor);
}

}  // namespace chaosrun::subst
