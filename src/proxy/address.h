// "HOST:PORT" strings (Toxiproxy's listen/upstream format; "[::1]:80" for IPv6).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace chaosrun::proxy {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// `field` names the JSON field in the error ("listen: expected HOST:PORT").
Result<HostPort> ParseHostPort(const std::string& text, const char* field);
std::string FormatHostPort(const std::string& host, uint16_t port);

}  // namespace chaosrun::proxy
