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

// Where to listen among a name's addresses: the first IPv4 one, else the first (Go's net.Listen
// choice, so "localhost" binds 127.0.0.1 as in Toxiproxy even where ::1 resolves first).
// `addresses` must not be empty.
const SockAddr& ListenAddress(const std::vector<SockAddr>& addresses);

// The numeric host ("127.0.0.1", "::1") and port of an address.
HostPort NumericHostPort(const SockAddr& address);
// The address socket `fd` is bound to (getsockname), numeric; empty host and port 0 on failure.
HostPort BoundHostPort(int fd);
// A failed socket call while listening, worded as Go's net package words it (so as Toxiproxy
// reports it): "listen tcp 127.0.0.1:8080: bind: address already in use". `network` is "tcp"
// or "udp", `call` the system call, `err` its errno.
std::string ListenError(const char* network, const SockAddr& at, const char* call, int err);

}  // namespace chaosrun::proxy
