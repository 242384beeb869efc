// ${name} substitution with the semantics of Python's string.Template in safe mode, as the
// reference applies it (ctk-spec §6.4):
//   * `${name}` and bare `$name` are placeholders, identifiers [A-Za-z_][A-Za-z0-9_]*;
//   * `$$` is a literal `$`; any other `$` is left as written;
//   * unknown names are left verbatim;
//   * when the whole string is exactly `${name}` and name resolves, the result is the value
//     itself with its own JSON type; otherwise (a bare `$name` included) values are stringified
//     (PythonStr) into the text;
//   * applied recursively to strings in arrays and object values (never keys); like the
//     reference, an array directly inside an array is spliced into it ([["${a}"], 1] -> [a, 1]).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace chaosrun::subst {

// The lookup chain: configuration first, then each secret scope in declaration order.
class Scope {
 public:
  Scope() = default;
  Scope(Json configuration, Json secrets)
      : configuration_(std::move(configuration)), secrets_(std::move(secrets)) {}

  // nullptr when the name is not defined anywhere.
  const Json* Lookup(std::string_view name) const;
  bool empty() const;

  const Json& configuration() const { return configuration_; }
  const Json& secrets() const { return secrets_; }
  Json& mutable_configuration() { return configuration_; }

 private:
  Json configuration_ = Json::object();
  Json secrets_ = Json::object();  // scope -> {key -> value}
};

// Substitutes one string (typed whole-string rule included).
Json SubstituteString(std::string_view text, const Scope& scope);
// Substitutes recursively in any JSON value.
Json Substitute(const Json& value, const Scope& scope);

}  // namespace chaosrun::subst
