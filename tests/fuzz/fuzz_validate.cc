// libFuzzer target: any bytes → (if JSON) Validate. Validation must never throw or crash.
// Build by hand, e.g.:
//   clang++ -std=c++2b -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_validate.cc
//   \
//     src/validate/*.cc <deps...> -o fuzz_validate
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "common/json.h"
#include "validate/validator.h"

namespace {

const chaosrun::validate::Options& FuzzOptions() {
  static const chaosrun::validate::Options options = [] {
    chaosrun::validate::Options o;
    o.resolve_executable = [](const std::string& name) -> std::optional<std::string> {
      if (name == "true" || name == "/bin/sh") return name;
      return std::nullopt;
    };
    o.env = [](const std::string& key) -> std::optional<std::string> {
      if (key == "SET") return std::string("value");
      return std::nullopt;
    };
    return o;
  }();
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const chaosrun::Json doc = chaosrun::Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  const auto diagnostics = chaosrun::validate::Validate(doc, FuzzOptions());
  for (const auto& d : diagnostics) {
    if (d.message.empty()) std::abort();
    // Validate turns an escaped exception into this root diagnostic: a bug to fix.
    if (d.pointer.empty() && d.message.starts_with("internal error")) std::abort();
  }
  return 0;
}
