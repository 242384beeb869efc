// libFuzzer target: compiles the input as a JSONPath and evaluates it on a fixed document.
// Any crash, sanitizer report, hang or unbounded memory use is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "jsonpath/jsonpath.h"

namespace {

const chaosrun::Json& Document() {
  static const chaosrun::Json doc = chaosrun::Json::parse(R"({
    "status": "success",
    "data": {"resultType": "vector", "result": [
      {"metric": {"job": "api", "instance": "a:9100"}, "value": [1700000000.5, "0"]},
      {"metric": {"job": "db", "instance": "b:9100"}, "value": [1700000000.5, "3"]}
    ]},
    "items": [{"name": "a", "up": true, "n": 1}, {"name": "b", "up": false, "n": -2.5e3}],
    "text": "h\u00e9llo",
    "big": 18446744073709551615,
    "neg": -9223372036854775808,
    "nested": [[[[[[1, [2, {"x": null}]]]]]]],
    "empty": {}, "list": []
  })");
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto path = chaosrun::jsonpath::JsonPath::Compile(text);
  if (path) {
    bool exhausted = false;
    (void)path->Evaluate(Document(), &exhausted);
  }
  return 0;
}
