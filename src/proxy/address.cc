#include "proxy/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cctype>
#include <charconv>
#include <cstring>

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

bool NumericAddress(const std::string& host, uint16_t port, SockAddr* out) {
  *out = SockAddr{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out->storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out->length = sizeof(sockaddr_in);
    return true;
  }
  *out = SockAddr{};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out->length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

const SockAddr& ListenAddress(const std::vector<SockAddr>& addresses) {
  for (const SockAddr& a : addresses) {
    if (a.family() == AF_INET) return a;
  }
  return addresses.front();
}

HostPort NumericHostPort(const SockAddr& address) {
  HostPort hp;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.family() == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address.storage);
    if (::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text) != nullptr) hp.host = text;
    hp.port = ntohs(v6->sin6_port);
  } else if (address.family() == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address.storage);
    if (::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text) != nullptr) hp.host = text;
    hp.port = ntohs(v4->sin_port);
  }
  return hp;
}

HostPort BoundHostPort(int fd) {
  SockAddr bound;
  bound.length = sizeof bound.storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound.storage), &bound.length) != 0) {
    return HostPort{};
  }
  return NumericHostPort(bound);
}

std::string ListenError(const char* network, const SockAddr& at, const char* call, int err) {
  // Go's messages are strerror's in lower case ("address already in use").
  std::string reason = std::strerror(err);
  if (!reason.empty()) {
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  }
  const HostPort hp = NumericHostPort(at);
  return std::string("listen ") + network + " " + FormatHostPort(hp.host, hp.port) + ": " + call +
         ": " + reason;
}

Result<std::vector<SockAddr>> ResolveAddresses(const std::string& host, uint16_t port) {
  std::vector<SockAddr> out;
  SockAddr numeric;
  if (NumericAddress(host, port, &numeric)) {
    out.push_back(numeric);
    return out;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    return Err(Status::IoError("cannot resolve " + FormatHostPort(host, port) + ": " +
                               ::gai_strerror(rc)));
  }
  for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    SockAddr s;
    std::memcpy(&s.storage, a->ai_addr, a->ai_addrlen);
    s.length = a->ai_addrlen;
    out.push_back(s);
  }
  ::freeaddrinfo(list);
  if (out.empty()) {
    return Err(Status::IoError("cannot resolve " + FormatHostPort(host, port) + ": no address"));
  }
  return out;
}

}  // namespace chaosrun::proxy
