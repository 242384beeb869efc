#include "jsonpath/jsonpath.h"

#include "jsonpath/eval.h"
#include "jsonpath/parser.h"

namespace chaosrun::jsonpath {

Result<JsonPath> JsonPath::Compile(std::string_view expression) {
  auto root = internal::Parse(expression);
  if (!root) return Err(root.error());
  JsonPath path;
  path.expression_ = std::string(expression);
  path.root_ = std::move(*root);
  return path;
}

std::vector<Json> JsonPath::Evaluate(const Json& document, bool* budget_exhausted) const {
  std::vector<Json> out;
  if (budget_exhausted != nullptr) *budget_exhausted = false;
  if (!root_) return out;
  internal::EvalContext ctx(document);
  internal::Matches matches;
  internal::EvalPath(*root_, document, ctx, &matches);
  if (budget_exhausted != nullptr) *budget_exhausted = ctx.budget == 0;
  out.reserve(matches.size());
  for (const Json* m : matches) out.push_back(*m);
  return out;
}

}  // namespace chaosrun::jsonpath
