#include "api/auth.h"

#include <utility>

#include "api/server.h"
#include "api/token_file.h"

namespace chaosrun::api {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of b is visited whatever a holds; a's length only changes the result.
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < b.size(); ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    diff |= x ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

AuthResult CheckBearer(bool present, std::string_view header_value, std::string_view token) {
  if (!present) return AuthResult::kMissing;
  std::string_view v = TrimSpace(header_value);
  constexpr std::string_view kScheme = "bearer";
  if (v.size() <= kScheme.size() || !IsSpace(v[kScheme.size()])) return AuthResult::kMalformed;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = v[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return AuthResult::kMalformed;
  }
  std::string_view presented = TrimSpace(v.substr(kScheme.size()));
  if (presented.empty()) return AuthResult::kMalformed;
  // An empty server token never matches (Start() refuses one anyway).
  if (token.empty()) return AuthResult::kWrong;
  return ConstantTimeEquals(presented, token) ? AuthResult::kOk : AuthResult::kWrong;
}

Result<std::string> LoadTokenFile(const std::string& path) {
  TokenFileRead r = ReadTokenFile(path, "the user chaosrund runs as");
  switch (r.error) {
    case TokenFileRead::Error::kNone:
      return std::move(r.token);
    case TokenFileRead::Error::kNotFound:
      return Err(Status::NotFound(r.message));
    case TokenFileRead::Error::kIo:
      return Err(Status::IoError(r.message));
    case TokenFileRead::Error::kRefused:
      break;
  }
  return Err(Status::InvalidArgument(r.message));
}

}  // namespace chaosrun::api
