// YAML text -> Json the way PyYAML's safe_load builds it: YAML 1.1 scalar resolution, standard
// tags only (anything else, e.g. `!!python/tuple` or `!custom`, is an error), merge keys `<<`,
// duplicate keys (the last wins, at the first one's place), non-string keys stringified as
// json.dumps does, one document per stream. Aliases are expanded under a size budget (alias
// bombs are refused) and nesting is capped at kMaxNestingDepth (self-referencing aliases too).
// Errors: "<name>:<line>:<column>: <reason>". Internal.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::parse::internal {

Result<Json> ParseYamlText(std::string_view text, std::string_view name);

}  // namespace chaosrun::parse::internal
