#include "network/url.h"

#include <cctype>

namespace chaosrun::drivers::network {

namespace {

bool ParsePort(const std::string& s, int* port) {
  if (s.empty() || s.size() > 5) return false;
  int p = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + (c - '0');
  }
  if (p > 65535) return false;
  *port = p;
  return true;
}

bool HostChars(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

bool Ipv6Chars(const std::string& h) {
  if (h.empty() || h.size() > 45) return false;
  for (char c : h) {
    if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
  }
  return true;
}

}  // namespace

bool SplitHostPort(const std::string& text, std::string* host, int* port) {
  std::string h;
  std::string p;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return false;
    }
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
    if (!Ipv6Chars(h)) return false;
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (!HostChars(h)) return false;
  }
  if (!ParsePort(p, port)) return false;
  *host = h;
  return true;
}

std::string Url::HostPort() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string Url::ToString() const { return "http://" + HostPort() + base; }

std::optional<Url> ParseUrl(const std::string& text, std::string* error) {
  const std::string scheme = "http://";
  if (text.compare(0, scheme.size(), scheme) != 0) {
    *error = "the API address must start with http:// (got \"" + text + "\")";
    return std::nullopt;
  }
  std::string rest = text.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string::npos) {
    *error = "the API address must not hold credentials";
    return std::nullopt;
  }
  Url url;
  bool bracketed = !authority.empty() && authority[0] == '[';
  bool has_port = bracketed ? authority.find("]:") != std::string::npos
                            : authority.find(':') != std::string::npos;
  bool ok = has_port
                ? SplitHostPort(authority, &url.host, &url.port)
                : (bracketed ? authority.back() == ']' &&
                                   Ipv6Chars(url.host = authority.substr(1, authority.size() - 2))
                             : HostChars(url.host = authority));
  if (!ok) {
    *error = "the API address has no valid HOST[:PORT] (got \"" + text + "\")";
    return std::nullopt;
  }
  if (path.find_first_of("?# ") != std::string::npos) {
    *error = "the API address must not hold a query, a fragment or spaces";
    return std::nullopt;
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  url.base = path;
  return url;
}

}  // namespace chaosrun::drivers::network
