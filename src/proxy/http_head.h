// The HTTP/1.x pieces the json_rewrite framer (http_json_rewrite.h) is made of: the header block
// parsed into what framing needs, the header block rewritten for a new body, a held chunked body
// decoded. Pure functions over complete, bounded inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chaosrun::proxy::http_framing {

constexpr size_t kMaxMethod = 24;
constexpr std::string_view kHttp = "HTTP/1.";

// What framing needs of a header block.
struct Head {
  bool ok = false;
  bool request = false;
  std::string method;  // requests
  int status = 0;      // responses
  std::optional<uint64_t> length;
  bool chunked = false;
  bool other_coding = false;  // Transfer-Encoding other than chunked alone
  bool json = false;
  bool encoded = false;  // Content-Encoding other than identity
  bool upgrade = false;
  bool expect_continue = false;
};

std::string Lower(std::string_view s);
// Without leading and trailing blanks (and a trailing CR).
std::string_view Trim(std::string_view s);
bool IsTokenChar(char c);
// Whether a body of this media type is JSON: application/json or any */*+json.
bool IsJsonType(std::string_view value);
// The position just past the empty line that ends a header block in `s`, searching from `from`;
// npos when it is not there yet.
size_t HeadEnd(std::string_view s, size_t from);
// A complete header block (start line, fields, empty line); `ok` false when it is not HTTP/1.x
// or its framing is ambiguous (bad or conflicting Content-Length, folded or bad fields).
Head ParseHead(std::string_view block, bool request);
// The decoded body of a chunked message held whole (already checked by the framer).
std::string Dechunk(std::string_view s);
// The header block with Content-Length (and the chunked coding, and its Trailer) replaced: the
// new Content-Length where the first of them was, every other line as it was.
std::string RewriteHead(std::string_view block, size_t length);

}  // namespace chaosrun::proxy::http_framing
