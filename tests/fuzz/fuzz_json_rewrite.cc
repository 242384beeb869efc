// libFuzzer target: the json_rewrite toxic's HTTP framer and rewriter (proxy/http_json_rewrite.h)
// on random bytes in random splits. Input: byte 0 picks the role and the operations, byte 1 the
// body bound (small, so it is crossed), byte 2 how the rest is cut; the rest is the stream.
// Must never crash, never hold more than its bound, and:
//   - while no message was rewritten, what comes out is exactly what went in (framing never
//     loses, duplicates or reorders a byte; unparseable, oversize, non-JSON pass unchanged);
//   - any framer gives back everything it holds on Flush (nothing stays inside).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "proxy/http_json_rewrite.h"

using chaosrun::Json;
namespace proxy = chaosrun::proxy;

namespace {

std::shared_ptr<const proxy::JsonRewriteConfig> Config(int which, size_t max_body) {
  static const char* kOps[] = {
      R"([{"op":"drop","field":"\u0001never"}])",  // matches nothing: output == input
      R"([{"op":"drop","field":"a"},{"op":"rename","field":"b","to":"/c/d"}])",
      R"([{"op":"scale","field":"n","factor":100},{"op":"retype","field":"s","type":"integer"}])",
      R"([{"op":"retype","field":"/x/y","type":"string"},{"op":"rename","field":"k","to":"kk"}])",
  };
  Json attributes = {{"operations", Json::parse(kOps[which])},
                     {"records", which == 3 ? "/items" : ""},
                     {"max_body_bytes", max_body}};
  auto c = proxy::ParseJsonRewrite(attributes);
  if (!c) std::abort();
  return std::make_shared<const proxy::JsonRewriteConfig>(*c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t mode = data[0];
  const size_t max_body = 1 + data[1] * 8;  // 1 .. 2041 bytes
  const uint8_t cut = data[2];
  const std::string_view in(reinterpret_cast<const char*>(data + 3), size - 3);
  auto role = (mode & 1) ? proxy::HttpJsonRewriter::Role::kRequests
                         : proxy::HttpJsonRewriter::Role::kResponses;
  const int which = (mode >> 1) % 5;  // 4: no operations (frame only)
  auto config = which == 4 ? nullptr : Config(which, max_body);
  proxy::HttpMethods methods;
  if (mode & 0x10) {
    methods.Push("HEAD");
    methods.Push("CONNECT");
  }
  proxy::HttpJsonRewriter r(role, config, &methods, /*synced=*/(mode & 0x20) == 0);
  std::string out;
  size_t at = 0, step = 1 + cut % 61;
  while (at < in.size()) {
    size_t n = std::min(step, in.size() - at);
    r.Feed(in.substr(at, n), out);
    if (r.held() > r.bound()) std::abort();
    at += n;
    step = 1 + (step * 7 + cut) % 97;  // uneven pieces
  }
  r.Flush(out);
  if (r.held() != 0) std::abort();
  if (r.stats().rewritten == 0 && out != in) std::abort();  // nothing rewritten: as fed
  // Whatever came out, feeding more must still pass it through (the framer is in raw mode).
  std::string after;
  r.Feed("tail", after);
  if (after != "tail") std::abort();
  return 0;
}
