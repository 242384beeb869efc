// Function steps: length(), keys(), values(), entries(), charAt(i), substring(a[,b]).
// Strings are indexed by code point, as Python's str is.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jsonpath/eval.h"

namespace chaosrun::jsonpath::internal {
namespace {

// Splits UTF-8 text into code points (an invalid byte counts as one character).
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    auto lead = static_cast<unsigned char>(s[i]);
    size_t len = lead < 0x80           ? 1
                 : (lead >> 5) == 0x6  ? 2
                 : (lead >> 4) == 0xe  ? 3
                 : (lead >> 3) == 0x1e ? 4
                                       : 1;
    if (i + len > s.size()) len = 1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) len = 1;
    }
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

std::optional<int64_t> AsIndex(const Json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>() ? 1 : 0;
  if (!v->is_number_integer()) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > INT64_MAX) return INT64_MAX;
  return v->get<int64_t>();
}

// Python's clamping of a slice bound with step 1.
int64_t SliceBound(int64_t v, int64_t n) {
  if (v < 0) return std::max<int64_t>(v + n, 0);
  return std::min(v, n);
}

std::string Join(const std::vector<std::string_view>& chars, int64_t from, int64_t to) {
  std::string out;
  for (int64_t i = from; i < to; ++i) out += chars[static_cast<size_t>(i)];
  return out;
}

}  // namespace

void ApplyFunction(Function fn, const std::vector<const Json*>& args, const Json& current,
                   EvalContext& ctx, Matches* out) {
  switch (fn) {
    case Function::kLength:
      if (current.is_string()) {
        out->push_back(ctx.Keep(CodePoints(current.get_ref<const std::string&>()).size()));
      } else if (current.is_structured()) {
        out->push_back(ctx.Keep(current.size()));
      }
      return;
    case Function::kKeys:
    case Function::kValues:
    case Function::kEntries: {
      if (!current.is_object() || !ctx.Spend(current.size())) return;
      Json list = Json::array();
      for (auto it = current.begin(); it != current.end(); ++it) {
        if (fn == Function::kKeys) {
          list.push_back(it.key());
        } else if (fn == Function::kValues) {
          list.push_back(it.value());
        } else {
          list.push_back(Json::array({it.key(), it.value()}));
        }
      }
      out->push_back(ctx.Keep(std::move(list)));
      return;
    }
    case Function::kCharAt: {
      auto index = AsIndex(args.empty() ? nullptr : args[0]);
      if (!current.is_string() || !index) return;
      auto chars = CodePoints(current.get_ref<const std::string&>());
      auto n = static_cast<int64_t>(chars.size());
      int64_t i = *index < 0 ? *index + n : *index;
      if (i < 0 || i >= n) return;  // Python raises IndexError: no match
      out->push_back(ctx.Keep(std::string(chars[static_cast<size_t>(i)])));
      return;
    }
    case Function::kSubstring: {
      auto from = AsIndex(args.empty() ? nullptr : args[0]);
      std::optional<int64_t> to;
      if (args.size() > 1) {
        to = AsIndex(args[1]);
        if (!to) return;
      }
      if (!current.is_string() || !from) return;
      auto chars = CodePoints(current.get_ref<const std::string&>());
      auto n = static_cast<int64_t>(chars.size());
      int64_t a = SliceBound(*from, n);
      int64_t b = to ? SliceBound(*to, n) : n;
      out->push_back(ctx.Keep(a < b ? Join(chars, a, b) : std::string()));
      return;
    }
  }
}

}  // namespace chaosrun::jsonpath::internal
