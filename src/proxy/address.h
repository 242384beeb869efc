// "HOST:PORT" strings (Toxiproxy's listen/upstream format; "[::1]:80" for IPv6).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace chaosrun::proxy {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// `field` names the JSON field in the error ("listen: expected HOST:PORT").
Result<HostPort> ParseHostPort(const std::string& text, const char* field);
std::string FormatHostPort(const std::string& host, uint16_t port);

// A socket address of any family.
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

// The address when `host` is a numeric IPv4 or IPv6 address (no lookup), else false.
bool NumericAddress(const std::string& host, uint16_t port, SockAddr* out);
// Every address of `host` (getaddrinfo: blocks on a name lookup). kIoError names the host.
Result<std::vector<SockAddr>> ResolveAddresses(const std::string& host, uint16_t port);

}  // namespace chaosrun::proxy
