// libFuzzer target: JSON text through the proxy engine's spec parsers (the bodies of the proxy
// API's POST /proxies and POST /proxies/{name}/toxics, and proxy serve's --config). Any input must
// give a spec or a Status, never a crash or an exception; an accepted toxic must print to JSON
// that parses back to the same toxic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proxy/engine.h"

using chaosrun::Json;
namespace proxy = chaosrun::proxy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  if (auto p = proxy::ProxyFromJson(j); p) (void)p->name.size();
  auto t = proxy::ToxicFromJson(j);
  if (!t) return 0;
  const Json printed = proxy::ToxicToJson(*t);
  auto again = proxy::ToxicFromJson(printed);
  if (!again || proxy::ToxicToJson(*again) != printed) std::abort();  // round trip must hold
  return 0;
}
