#include "proxy/address.h"

#include <charconv>

namespace chaosrun::proxy {

Result<HostPort> ParseHostPort(const std::string& text, const char* field) {
  auto bad = [&](const std::string& why) {
    return Err(
        Status::InvalidArgument(std::string(field) + ": " + why + " (got \"" + text + "\")"));
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return bad("expected HOST:PORT");
  HostPort hp;
  hp.host = text.substr(0, colon);
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  if (hp.host.empty()) hp.host = "0.0.0.0";
  std::string port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  hp.port = static_cast<uint16_t>(value);
  return hp;
}

std::string FormatHostPort(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace chaosrun::proxy
