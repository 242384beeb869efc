// libFuzzer target: YAML text through the experiment loader's parser (yaml-cpp plus the
// PyYAML-compatible conversion). Any input must give a value or a ParseError, never a crash,
// a hang, unbounded memory (alias bombs) or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = chaosrun::parse::ParseText(text, chaosrun::parse::DocFormat::kYaml, "fuzz.yaml");
  if (doc) (void)chaosrun::DumpCompact(*doc);
  return 0;
}
