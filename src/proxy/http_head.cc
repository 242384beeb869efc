#include "proxy/http_head.h"

#include <cctype>
#include <cstdlib>

namespace chaosrun::proxy::http_framing {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Whether a body of this media type is JSON: application/json or any */*+json.
bool IsJsonType(std::string_view value) {
  std::string t = Lower(Trim(value.substr(0, value.find(';'))));
  if (t == "application/json") return true;
  size_t slash = t.find('/');
  return slash != std::string::npos && slash > 0 && t.size() > 5 &&
         t.compare(t.size() - 5, 5, "+json") == 0;
}

// The position just past the empty line that ends a header block in `s`, searching from
// `from`; npos when it is not there yet.
size_t HeadEnd(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] != '\n') continue;
    if (i + 1 < s.size() && s[i + 1] == '\n') return i + 2;
    if (i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

std::optional<uint64_t> ParseLength(std::string_view v) {
  v = Trim(v);
  if (v.empty() || v.size() > 18) return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

Head ParseHead(std::string_view block, bool request) {
  Head h;
  h.request = request;
  size_t eol = block.find('\n');
  std::string_view start = Trim(block.substr(0, eol));
  if (request) {
    size_t sp = start.find(' ');
    size_t sp2 = start.rfind(' ');
    if (sp == std::string_view::npos || sp == 0 || sp2 == sp) return h;
    h.method = std::string(start.substr(0, sp));
    for (char c : h.method) {
      if (!IsTokenChar(c)) return h;
    }
    if (start.substr(sp2 + 1).substr(0, kHttp.size()) != kHttp) return h;
  } else {
    if (start.substr(0, kHttp.size()) != kHttp || start.size() < 12 || start[8] != ' ') return h;
    int code = 0;
    for (size_t i = 9; i < 12; ++i) {
      if (start[i] < '0' || start[i] > '9') return h;
      code = code * 10 + (start[i] - '0');
    }
    if (start.size() > 12 && start[12] != ' ') return h;
    h.status = code;
  }
  size_t pos = eol + 1;
  while (pos < block.size()) {
    size_t end = block.find('\n', pos);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the block
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return h;  // folding or garbage
    for (char c : line.substr(0, colon)) {
      if (!IsTokenChar(c)) return h;
    }
    std::string name = Lower(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-length") {
      auto n = ParseLength(value);
      if (!n || (h.length && *h.length != *n)) return h;
      h.length = n;
    } else if (name == "transfer-encoding") {
      std::string v = Lower(value);
      if (h.chunked || h.other_coding) {
        h.other_coding = true;  // several fields: not rewritten
        h.chunked = h.chunked || v.ends_with("chunked");
      } else if (v == "chunked") {
        h.chunked = true;
      } else {
        h.other_coding = true;
        h.chunked = v.ends_with("chunked");
      }
    } else if (name == "content-type") {
      h.json = IsJsonType(value);
    } else if (name == "content-encoding") {
      h.encoded = Lower(value) != "identity";
    } else if (name == "upgrade") {
      h.upgrade = true;
    } else if (name == "expect") {
      h.expect_continue = Lower(value) == "100-continue";
    }
  }
  h.ok = true;
  return h;
}

// The decoded body of a chunked message held whole (already checked by the framer).
std::string Dechunk(std::string_view s) {
  std::string out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t eol = s.find('\n', pos);
    if (eol == std::string_view::npos) break;
    uint64_t n = std::strtoull(std::string(s.substr(pos, eol - pos)).c_str(), nullptr, 16);
    pos = eol + 1;
    if (n == 0) break;
    out.append(s.substr(pos, n));
    pos += n;
    pos = s.find('\n', pos);  // the CRLF after the data
    if (pos == std::string_view::npos) break;
    ++pos;
  }
  return out;
}

// The header block with Content-Length (and the chunked coding, and its Trailer) replaced: the
// new Content-Length where the first of them was, every other line as it was.
std::string RewriteHead(std::string_view block, size_t length) {
  std::string out;
  bool placed = false;
  size_t eol = block.find('\n');
  out.append(block.substr(0, eol + 1));
  size_t pos = eol + 1;
  while (pos < block.size()) {
    size_t end = block.find('\n', pos);
    if (end == std::string_view::npos) end = block.size() - 1;
    std::string_view line = block.substr(pos, end + 1 - pos);
    pos = end + 1;
    std::string_view bare = Trim(line.substr(0, line.find('\n')));
    if (bare.empty()) {
      if (!placed) out += "Content-Length: " + std::to_string(length) + "\r\n";
      out.append(line);
      break;
    }
    std::string name = Lower(Trim(bare.substr(0, bare.find(':'))));
    if (name == "content-length" || name == "transfer-encoding") {
      if (!placed) out += "Content-Length: " + std::to_string(length) + "\r\n";
      placed = true;
      continue;
    }
    if (name == "trailer") continue;
    out.append(line);
  }
  return out;
}

}  // namespace chaosrun::proxy::http_framing
