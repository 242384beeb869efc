// The address of a proxy API: "http://HOST[:PORT][/BASE]" (HOST a name, an IPv4 address or a
// bracketed IPv6 address; PORT 80 when absent). Only plain http: the API is local by design.
#pragma once

#include <optional>
#include <string>

namespace chaosrun::drivers::network {

struct Url {
  std::string host;  // without brackets
  int port = 80;
  std::string base;  // path prefix without a trailing '/', "" for none

  // "HOST:PORT" ("[::1]:8474" for IPv6), as used in targets and the Host header.
  std::string HostPort() const;
  // "http://HOST:PORT/BASE" — normalised, so equal APIs give equal strings.
  std::string ToString() const;
};

inline constexpr const char* kDefaultApi = "http://127.0.0.1:8474";

// Parses `text`; on failure returns nullopt and sets *error.
std::optional<Url> ParseUrl(const std::string& text, std::string* error);

// "HOST:PORT" (IPv6 in brackets) -> host and port; for create_proxy's listen/upstream.
bool SplitHostPort(const std::string& text, std::string* host, int* port);

}  // namespace chaosrun::drivers::network
