// libFuzzer target: a Chaos Toolkit settings file (`--settings FILE`, session/settings.h) as YAML
// text, through the loader's parser and then ParseSettings, and the settings' runtime applied to
// a fixed experiment. Any input must give settings or an error naming the pointer, never a
// crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/runner.h"
#include "parse/loader.h"
#include "session/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = chaosrun::parse::ParseText(text, chaosrun::parse::DocFormat::kYaml, "settings.yaml");
  if (!doc) return 0;
  auto settings = chaosrun::session::ParseSettings(*doc, "settings.yaml");
  if (!settings) return 0;
  static const chaosrun::Json experiment = {{"title", "t"}, {"method", chaosrun::Json::array()}};
  chaosrun::engine::RunOptions options;
  chaosrun::session::ApplyRuntime(*settings, experiment, options);
  (void)chaosrun::DumpCompact(settings->controls);
  return 0;
}
