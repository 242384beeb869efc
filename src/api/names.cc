#include "api/names.h"

#include <cstdio>

#include "common/encoding.h"

namespace chaosrun::api {

namespace {

bool NameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// A byte as a message shows it: 'x', or \xNN when it is not printable.
std::string ShowByte(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", u);
  return buf;
}

// A query parameter: '+' is a space (form encoding), then %XX escapes.
std::optional<std::string> DecodeQueryPart(std::string_view part) {
  std::string s(part);
  for (char& c : s) {
    if (c == '+') c = ' ';
  }
  return PercentDecode(s);
}

}  // namespace

std::string NameProblem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > kMaxNameBytes) {
    return "is longer than " + std::to_string(kMaxNameBytes) + " bytes";
  }
  if (name.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (name.find('/') != std::string_view::npos) return "contains '/' (a path, not a name)";
  if (name.find("..") != std::string_view::npos) return "contains '..'";
  if (name[0] == '.') return "starts with '.'";
  for (char c : name) {
    if (!NameChar(c)) {
      return "contains " + ShowByte(c) + " (allowed: letters, digits, '.', '_', '-')";
    }
  }
  return {};
}

Result<Target> ParseTarget(std::string_view target) {
  std::string_view path = target;
  std::string_view query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  if (path.empty() || path[0] != '/') {
    return Err(Status::InvalidArgument("the request path must start with '/'"));
  }
  Target out;
  if (path.size() > 1) {
    size_t start = 1;
    while (true) {
      size_t end = path.find('/', start);
      std::string_view raw =
          path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      size_t index = out.segments.size() + 1;
      if (raw.empty()) {
        return Err(Status::InvalidArgument("path segment " + std::to_string(index) +
                                           " is empty (\"//\" or a trailing '/')"));
      }
      auto decoded = PercentDecode(raw);
      if (!decoded) {
        return Err(Status::InvalidArgument("path segment " + std::to_string(index) +
                                           " holds a malformed %-escape"));
      }
      const std::string& seg = *decoded;
      if (seg == "." || seg == "..") {
        return Err(Status::InvalidArgument("path segment " + std::to_string(index) + " is '" + seg +
                                           "' (path traversal refused)"));
      }
      if (seg.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
        return Err(Status::InvalidArgument("path segment " + std::to_string(index) +
                                           " decodes to a '/', '\\' or NUL (refused)"));
      }
      out.segments.push_back(seg);
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    std::string_view pair =
        query.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? query.size() : end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = DecodeQueryPart(pair.substr(0, eq));
    auto value = DecodeQueryPart(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!key || !value) {
      return Err(Status::InvalidArgument("the query string holds a malformed %-escape"));
    }
    if (!out.query.emplace(*key, *value).second) {
      return Err(Status::InvalidArgument("query parameter '" + *key + "' is given twice"));
    }
  }
  return out;
}

}  // namespace chaosrun::api
