// Evaluation of a parsed JSONPath (internal). Matches are pointers into the document or into the
// context's arena (values made by functions such as length()). Every unit of work draws on a
// budget, so pathological expressions (nested `..*` over a large document) end early instead of
// running for hours; the matches found so far are returned.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "common/json.h"
#include "jsonpath/ast.h"

namespace chaosrun::jsonpath::internal {

inline constexpr size_t kWorkBudget = 2'000'000;

using Matches = std::vector<const Json*>;

struct EvalContext {
  explicit EvalContext(const Json& document) : root(&document) {}
  const Json* root;
  std::deque<Json> arena;  // stable addresses for computed values
  size_t budget = kWorkBudget;

  // Takes one unit of work; false once the budget is spent.
  bool Spend(size_t units = 1) {
    if (budget < units) {
      budget = 0;
      return false;
    }
    budget -= units;
    return true;
  }
  const Json* Keep(Json v) {
    arena.push_back(std::move(v));
    return &arena.back();
  }
};

void EvalPath(const Node& node, const Json& current, EvalContext& ctx, Matches* out);

// Applies a function step (length(), charAt(i), ...) to `current` with evaluated arguments.
void ApplyFunction(Function fn, const std::vector<const Json*>& args, const Json& current,
                   EvalContext& ctx, Matches* out);

}  // namespace chaosrun::jsonpath::internal
