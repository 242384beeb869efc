// JSON text -> Json, as Python's json.loads accepts it (no BOM, no comments), with errors as
// "<name>:<line>:<column>: <reason>" and nesting capped at kMaxNestingDepth. Internal.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::parse::internal {

Result<Json> ParseJsonText(std::string_view text, std::string_view name);

}  // namespace chaosrun::parse::internal
