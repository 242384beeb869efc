// libFuzzer target: JSON text through the experiment loader's parser. Any input must give a
// value or a ParseError, never a crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = chaosrun::parse::ParseText(text, chaosrun::parse::DocFormat::kJson, "fuzz.json");
  if (doc) (void)chaosrun::DumpCompact(*doc);  // a parsed value must also be printable
  return 0;
}
