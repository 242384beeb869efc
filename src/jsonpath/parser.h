// Recursive-descent parser for the jsonpath2 dialect (internal). Nesting (brackets, filters,
// parentheses, literals, and/or chains) is limited to kMaxNesting so no input can exhaust the
// stack; errors are ParseError naming the 1-based column.
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"
#include "jsonpath/ast.h"

namespace chaosrun::jsonpath::internal {

inline constexpr int kMaxNesting = 100;

Result<std::shared_ptr<const Node>> Parse(std::string_view expression);

}  // namespace chaosrun::jsonpath::internal
