// libFuzzer target: the pure encoders of the providers (query/form encoding, request header
// lines, timeout/expected_status parsing, process argv building) on arbitrary JSON, and the
// byte decoders (UTF-8 repair, latin-1 response headers) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "providers/http_encode.h"
#include "providers/process_args.h"
#include "providers/text.h"

namespace {

bool IsUnreservedOrEscape(char c) {
  const auto b = static_cast<unsigned char>(c);
  return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || c == '_' ||
         c == '.' || c == '-' || c == '~' || c == '%' || c == '+';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaosrun;
  using namespace chaosrun::providers;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Repaired text is valid UTF-8: repairing it again changes nothing, and strict dumping works.
  const std::string text = DecodeUtf8Lossy(bytes);
  if (DecodeUtf8Lossy(text) != text) std::abort();
  (void)Json(text).dump();  // throws (→ crash) on invalid UTF-8

  for (char c : QuotePlus(bytes)) {
    if (!IsUnreservedOrEscape(c)) std::abort();
  }

  ResponseHeaders headers;
  size_t start = 0;
  while (start <= bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    headers.Feed(bytes.substr(start, end - start));
    start = end + 1;
  }
  (void)headers.ToJson().dump();  // names and values are latin-1 decoded: always valid

  const Json j = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  (void)EncodeParams(j);
  (void)AppendQuery("http://h/p?x#f", EncodeParams(j).value_or(""));
  if (auto lines = BuildRequestHeaders(j)) {
    for (const std::string& l : *lines) {
      if (l.find_first_of("\r\n") != std::string::npos) std::abort();
    }
  }
  if (j.is_object()) {
    (void)ParseHttpTimeout(j);
    (void)ParseExpectedStatus(j);
    (void)ParseProcessTimeout(j);
  }
  if (auto argv = BuildProcessArgv("/bin/echo", j)) {
    if (argv->empty()) std::abort();
  }
  return 0;
}
