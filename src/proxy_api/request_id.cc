#include "proxy_api/request_id.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

namespace chaosrun::proxy_api {

namespace {

// FNV-1a: any stable spread of the machine's identity will do (xid itself takes MD5 bytes).
uint32_t Fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

// A random start for the counter (as xid's), never an exception.
uint32_t RandomSeed() {
  try {
    return std::random_device{}();
  } catch (...) {
    return static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count() ^
                                 ::getpid());
  }
}

std::array<uint8_t, 3> MachineId() {
  std::string identity;
  if (std::ifstream in("/etc/machine-id"); in) {
    std::ostringstream text;
    text << in.rdbuf();
    identity = text.str();
  }
  if (identity.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) identity = host;
  }
  const uint32_t h = identity.empty() ? RandomSeed() : Fnv1a(identity);
  return {static_cast<uint8_t>(h >> 16), static_cast<uint8_t>(h >> 8), static_cast<uint8_t>(h)};
}

}  // namespace

std::string FormatXid(uint32_t unix_seconds, const std::array<uint8_t, 3>& machine, uint16_t pid,
                      uint32_t counter) {
  const std::array<uint8_t, 12> id = {static_cast<uint8_t>(unix_seconds >> 24),
                                      static_cast<uint8_t>(unix_seconds >> 16),
                                      static_cast<uint8_t>(unix_seconds >> 8),
                                      static_cast<uint8_t>(unix_seconds),
                                      machine[0],
                                      machine[1],
                                      machine[2],
                                      static_cast<uint8_t>(pid >> 8),
                                      static_cast<uint8_t>(pid),
                                      static_cast<uint8_t>(counter >> 16),
                                      static_cast<uint8_t>(counter >> 8),
                                      static_cast<uint8_t>(counter)};
  // base32hex, most significant bit first; 96 bits make 20 digits, the last padded with zeros.
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  out.reserve(20);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : id) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kDigits[(buffer >> bits) & 0x1F]);
    }
  }
  if (bits > 0) out.push_back(kDigits[(buffer << (5 - bits)) & 0x1F]);
  return out;
}

std::string NextRequestId() {
  static const std::array<uint8_t, 3> machine = MachineId();
  static std::atomic<uint32_t> counter{RandomSeed()};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  return FormatXid(static_cast<uint32_t>(seconds), machine, static_cast<uint16_t>(::getpid()),
                   counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

}  // namespace chaosrun::proxy_api
