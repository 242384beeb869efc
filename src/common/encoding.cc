#include "common/encoding.h"

#include <cctype>

namespace chaosrun {

std::string Base64Encode(std::string_view bytes, Base64Alphabet alphabet, bool pad) {
  const char* table = alphabet == Base64Alphabet::kStandard
                          ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto a = static_cast<unsigned char>(bytes[i]);
    const auto b = static_cast<unsigned char>(bytes[i + 1]);
    const auto c = static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(table[a >> 2]);
    out.push_back(table[((a & 0x3) << 4) | (b >> 4)]);
    out.push_back(table[((b & 0xF) << 2) | (c >> 6)]);
    out.push_back(table[c & 0x3F]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    const auto a = static_cast<unsigned char>(bytes[i]);
    const auto b = rest == 2 ? static_cast<unsigned char>(bytes[i + 1]) : 0;
    out.push_back(table[a >> 2]);
    out.push_back(table[((a & 0x3) << 4) | (b >> 4)]);
    if (rest == 2) out.push_back(table[(b & 0xF) << 2]);
    if (pad) out.append(3 - rest, '=');
  }
  return out;
}

std::string PercentEncode(std::string_view s, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || c == '_' || c == '.' || c == '-' || c == '~') {
      out.push_back(c);
    } else if (c == ' ' && space_as_plus) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    }
  }
  return out;
}

namespace {
int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexDigitValue(s[i + 1]);
    const int lo = HexDigitValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace chaosrun
