// The compiled form of a JSONPath (internal to the jsonpath module): a path is a start ($ or @)
// and a list of steps; a step applies its selectors (one, or a bracketed union) to every current
// node, or to every node below it for a recursive `..` step. Immutable once parsed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"

namespace chaosrun::jsonpath::internal {

struct Node;
struct Expr;

// A filter operand or function argument: a JSON literal or a path.
struct Operand {
  std::shared_ptr<const Node> path;  // null for a literal
  Json literal;
};

enum class Function { kLength, kKeys, kValues, kEntries, kCharAt, kSubstring };

struct Selector {
  enum class Kind { kName, kIndex, kSlice, kWildcard, kFilter, kFunction, kPath };
  Kind kind = Kind::kWildcard;
  std::string name;                          // kName
  int64_t index = 0;                         // kIndex
  std::optional<int64_t> start, stop, step;  // kSlice
  std::shared_ptr<const Expr> filter;        // kFilter
  Function function = Function::kLength;     // kFunction
  std::vector<Operand> arguments;            // kFunction
  std::shared_ptr<const Node> path;          // kPath: [$.x] / [@.x] used as key or index
};

struct Step {
  bool recursive = false;  // `..`: apply to the node and all its descendants
  std::vector<Selector> selectors;
};

struct Node {
  bool from_root = true;  // `$` (true) or `@` (false)
  std::vector<Step> steps;
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kContains };

struct Expr {
  enum class Kind { kAnd, kOr, kNot, kExists, kCompare };
  Kind kind = Kind::kExists;
  std::shared_ptr<const Expr> lhs, rhs;  // kAnd/kOr (both), kNot (lhs)
  std::shared_ptr<const Node> path;      // kExists, kCompare (left side)
  CompareOp op = CompareOp::kEq;         // kCompare
  Operand right;                         // kCompare
};

}  // namespace chaosrun::jsonpath::internal
