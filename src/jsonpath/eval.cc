#include "jsonpath/eval.h"

#include <cstdint>
#include <string>
#include <utility>

#include "jsonpath/python_value.h"

namespace chaosrun::jsonpath::internal {
namespace {

bool EvalExpr(const Expr& e, const Json& current, EvalContext& ctx);

// Python's index normalisation: -1 is the last element; nullopt when out of range.
std::optional<size_t> NormalizeIndex(int64_t index, size_t size) {
  auto n = static_cast<int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  return static_cast<size_t>(index);
}

// Python's slice.indices() followed by range(): appends the selected elements of `array`.
void ApplySlice(const Selector& sel, const Json& array, EvalContext& ctx, Matches* out) {
  int64_t step = sel.step.value_or(1);
  if (step == 0) return;  // Python raises ValueError; nothing matches
  auto n = static_cast<int64_t>(array.size());
  int64_t lower = step > 0 ? 0 : -1;
  int64_t upper = step > 0 ? n : n - 1;
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    if (*v < 0) return std::max(*v + n, lower);
    return std::min(*v, upper);
  };
  int64_t start = clamp(sel.start, step > 0 ? lower : upper);
  int64_t stop = clamp(sel.stop, step > 0 ? upper : lower);
  // |step| as unsigned, valid for INT64_MIN too.
  uint64_t magnitude =
      step > 0 ? static_cast<uint64_t>(step) : static_cast<uint64_t>(-(step + 1)) + 1;
  for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
    if (!ctx.Spend()) return;
    out->push_back(&array[static_cast<size_t>(i)]);
    auto distance = static_cast<uint64_t>(step > 0 ? stop - i : i - stop);
    if (distance <= magnitude) break;
    i = step > 0 ? i + step : i - static_cast<int64_t>(magnitude);
  }
}

void SelectKeyOrIndex(const Json& key, const Json& node, Matches* out) {
  if (key.is_string() && node.is_object()) {
    auto it = node.find(key.get_ref<const std::string&>());
    if (it != node.end()) out->push_back(&*it);
  } else if (key.is_number_integer() && node.is_array()) {
    if (key.is_number_unsigned() && key.get<uint64_t>() > INT64_MAX) return;
    if (auto i = NormalizeIndex(key.get<int64_t>(), node.size())) out->push_back(&node[*i]);
  }
}

void EvalOperand(const Operand& operand, const Json& current, EvalContext& ctx, Matches* out) {
  if (operand.path) {
    EvalPath(*operand.path, current, ctx, out);
  } else {
    out->push_back(&operand.literal);
  }
}

void ApplyFunctionSelector(const Selector& sel, const Json& node, EvalContext& ctx, Matches* out) {
  std::vector<Matches> values(sel.arguments.size());
  for (size_t i = 0; i < sel.arguments.size(); ++i) {
    EvalOperand(sel.arguments[i], node, ctx, &values[i]);
    if (values[i].empty()) return;
  }
  // Each combination of argument values (arguments are at most two).
  if (values.empty()) {
    ApplyFunction(sel.function, {}, node, ctx, out);
  } else if (values.size() == 1) {
    for (const Json* a : values[0]) {
      if (!ctx.Spend()) return;
      ApplyFunction(sel.function, {a}, node, ctx, out);
    }
  } else {
    for (const Json* a : values[0]) {
      for (const Json* b : values[1]) {
        if (!ctx.Spend()) return;
        ApplyFunction(sel.function, {a, b}, node, ctx, out);
      }
    }
  }
}

void ApplySelector(const Selector& sel, const Json& node, EvalContext& ctx, Matches* out) {
  if (!ctx.Spend()) return;
  switch (sel.kind) {
    case Selector::Kind::kName:
      SelectKeyOrIndex(Json(sel.name), node, out);
      break;
    case Selector::Kind::kIndex:
      if (node.is_array()) {
        if (auto i = NormalizeIndex(sel.index, node.size())) out->push_back(&node[*i]);
      }
      break;
    case Selector::Kind::kSlice:
      if (node.is_array()) ApplySlice(sel, node, ctx, out);
      break;
    case Selector::Kind::kWildcard:
      if (node.is_structured()) {
        if (!ctx.Spend(node.size())) return;
        for (const Json& child : node) out->push_back(&child);
      }
      break;
    case Selector::Kind::kFilter:
      if (EvalExpr(*sel.filter, node, ctx)) out->push_back(&node);
      break;
    case Selector::Kind::kFunction:
      ApplyFunctionSelector(sel, node, ctx, out);
      break;
    case Selector::Kind::kPath: {
      Matches keys;
      EvalPath(*sel.path, node, ctx, &keys);
      for (const Json* key : keys) SelectKeyOrIndex(*key, node, out);
      break;
    }
  }
}

// The node itself and all its descendants, in document (pre-)order, without recursion.
void CollectDescendants(const Json& node, EvalContext& ctx, Matches* out) {
  std::vector<const Json*> stack{&node};
  while (!stack.empty()) {
    if (!ctx.Spend()) return;
    const Json* n = stack.back();
    stack.pop_back();
    out->push_back(n);
    if (n->is_structured()) {
      for (auto it = n->crbegin(); it != n->crend(); ++it) stack.push_back(&*it);
    }
  }
}

bool Compare(CompareOp op, const Json& left, const Json& right) {
  switch (op) {
    case CompareOp::kEq:
      return PyEquals(left, right);
    case CompareOp::kNe:
      return !PyEquals(left, right);
    case CompareOp::kContains:
      if (left.is_string() && right.is_string()) {
        return left.get_ref<const std::string&>().find(right.get_ref<const std::string&>()) !=
               std::string::npos;
      }
      if (left.is_array()) {
        for (const Json& e : left) {
          if (PyEquals(e, right)) return true;
        }
        return false;
      }
      if (left.is_object() && right.is_string()) {
        return left.contains(right.get_ref<const std::string&>());
      }
      return false;
    default:
      break;
  }
  if (!IsPyNumber(left) || !IsPyNumber(right)) return false;  // ordering: numbers only
  std::partial_ordering o = NumericCompare(left, right);
  switch (op) {
    case CompareOp::kLt:
      return o < 0;
    case CompareOp::kLe:
      return o <= 0;
    case CompareOp::kGt:
      return o > 0;
    case CompareOp::kGe:
      return o >= 0;
    default:
      return false;
  }
}

bool EvalExpr(const Expr& e, const Json& current, EvalContext& ctx) {
  if (!ctx.Spend()) return false;
  switch (e.kind) {
    case Expr::Kind::kAnd:
      return EvalExpr(*e.lhs, current, ctx) && EvalExpr(*e.rhs, current, ctx);
    case Expr::Kind::kOr:
      return EvalExpr(*e.lhs, current, ctx) || EvalExpr(*e.rhs, current, ctx);
    case Expr::Kind::kNot:
      return !EvalExpr(*e.lhs, current, ctx);
    case Expr::Kind::kExists: {
      Matches m;
      EvalPath(*e.path, current, ctx, &m);
      return !m.empty();
    }
    case Expr::Kind::kCompare: {
      Matches left, right;
      EvalPath(*e.path, current, ctx, &left);
      if (left.empty()) return false;
      EvalOperand(e.right, current, ctx, &right);
      for (const Json* l : left) {
        for (const Json* r : right) {
          if (!ctx.Spend()) return false;
          if (Compare(e.op, *l, *r)) return true;
        }
      }
      return false;
    }
  }
  return false;
}

}  // namespace

void EvalPath(const Node& node, const Json& current, EvalContext& ctx, Matches* out) {
  Matches nodes{node.from_root ? ctx.root : &current};
  for (const Step& step : node.steps) {
    Matches next;
    for (const Json* n : nodes) {
      if (step.recursive) {
        Matches below;
        CollectDescendants(*n, ctx, &below);
        for (const Json* d : below) {
          for (const Selector& sel : step.selectors) ApplySelector(sel, *d, ctx, &next);
        }
      } else {
        for (const Selector& sel : step.selectors) ApplySelector(sel, *n, ctx, &next);
      }
      if (ctx.budget == 0) break;
    }
    nodes = std::move(next);
    if (nodes.empty()) return;
  }
  out->insert(out->end(), nodes.begin(), nodes.end());
}

}  // namespace chaosrun::jsonpath::internal
