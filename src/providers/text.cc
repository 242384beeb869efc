#include "providers/text.h"

#include <cstdint>

namespace chaosrun::providers {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

bool IsCont(uint8_t b) { return (b & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence at bytes[i], or 0 with *consumed = the length of the maximal
// invalid subpart to replace (at least 1).
size_t ValidSequenceAt(std::string_view bytes, size_t i, size_t* consumed) {
  const auto at = [&](size_t k) { return static_cast<uint8_t>(bytes[k]); };
  const uint8_t b0 = at(i);
  *consumed = 1;
  if (b0 < 0x80) return 1;
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // valid range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  size_t k = 1;
  for (; k < len && i + k < bytes.size(); ++k) {
    const uint8_t b = at(i + k);
    const bool ok = (k == 1) ? (b >= lo && b <= hi) : IsCont(b);
    if (!ok) break;
  }
  if (k == len) return len;
  *consumed = k;  // the maximal subpart: lead byte plus the valid continuation bytes seen
  return 0;
}

}  // namespace

std::string DecodeUtf8Lossy(std::string_view bytes) {
  size_t i = 0;
  // Fast path: find the first invalid position; most output is ASCII or valid UTF-8.
  size_t consumed = 0;
  while (i < bytes.size()) {
    const size_t n = ValidSequenceAt(bytes, i, &consumed);
    if (n == 0) break;
    i += n;
  }
  if (i == bytes.size()) return std::string(bytes);
  std::string out(bytes.substr(0, i));
  out.reserve(bytes.size() + 16);
  while (i < bytes.size()) {
    const size_t n = ValidSequenceAt(bytes, i, &consumed);
    if (n == 0) {
      out += kReplacement;
      i += consumed;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string DecodeLatin1(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

}  // namespace chaosrun::providers
