// libFuzzer target: ${name} substitution over arbitrary text, with a scope that defines a few
// names of every JSON type. The result of a non-typed substitution must be a string.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "subst/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const chaosrun::subst::Scope scope(
      chaosrun::Json::parse(R"({"a": "x", "n": 5, "f": 1.5, "b": true, "z": null,
                                "l": [1, "s"], "o": {"k": "v"}, "e": "", "d": "$a${a}$$"})"),
      chaosrun::Json::parse(R"({"s1": {"tok": "t", "a": "shadowed"}, "s2": {"x2": 2}})"));
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  chaosrun::Json out = chaosrun::subst::SubstituteString(text, scope);
  const bool whole = text.size() >= 4 && text.starts_with("${") && text.back() == '}';
  if (!whole && !out.is_string()) std::abort();
  // Without any '$' the text must come back unchanged.
  if (text.find('$') == std::string_view::npos && out != chaosrun::Json(std::string(text))) {
    std::abort();
  }
  return 0;
}
