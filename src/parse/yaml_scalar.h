// YAML 1.1 scalars as PyYAML's safe loader resolves and constructs them: implicit resolution of
// plain scalars (null, bool, int, float; everything else is a string) and the standard
// `tag:yaml.org,2002:*` scalar tags. Internal to the parse module; errors are bare reasons that
// the caller prefixes with "<name>:<line>:<column>: ".
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "common/json.h"

namespace chaosrun::parse::internal {

inline constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

// The value of a plain (unquoted, untagged) scalar that is not a mapping key named "<<".
std::expected<Json, std::string> ResolvePlainScalar(std::string_view text);

// The value of a scalar with an explicit standard tag (`tag` is the full tag, e.g.
// "tag:yaml.org,2002:int"). Unknown or unsupported tags give PyYAML's message:
// "could not determine a constructor for the tag '<tag>'".
std::expected<Json, std::string> ConstructTaggedScalar(std::string_view tag, std::string_view text);

// Exposed for tests: the YAML 1.1 implicit patterns PyYAML uses.
bool IsYamlNull(std::string_view s);
bool IsYamlBool(std::string_view s);
bool IsYamlInt(std::string_view s);
bool IsYamlFloat(std::string_view s);

// How json.dumps turns a non-string mapping key into a string (None -> "null", True -> "true",
// 1.5 -> "1.5", inf -> "Infinity"). Containers are not valid keys (error).
std::expected<std::string, std::string> KeyString(const Json& key);

}  // namespace chaosrun::parse::internal
