#include "api/auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "api/server.h"

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
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    std::string why = "token file " + path + ": " + std::strerror(e);
    if (e == ELOOP) {
      return Err(Status::InvalidArgument("token file " + path +
                                         ": is a symbolic link (it must be a regular file)"));
    }
    return Err(e == ENOENT ? Status::NotFound(why) : Status::IoError(why));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return Err(Status::IoError("token file " + path + ": " + why));
  }
  auto refuse = [&](const std::string& why) {
    ::close(fd);
    return Err(Status::InvalidArgument("token file " + path + ": " + why));
  };
  if (!S_ISREG(st.st_mode)) return refuse("is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return refuse("is owned by uid " + std::to_string(st.st_uid) + ", not by uid " +
                  std::to_string(::geteuid()) + " (the user chaosrund runs as)");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return refuse(std::string("has mode ") + mode +
                  ": group and others must have no permission (chmod 600)");
  }
  if (st.st_size > 64 * 1024) return refuse("is larger than 64 KiB (a token is one line)");
  std::string text;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return Err(Status::IoError("token file " + path + ": " + why));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 64 * 1024) return refuse("is larger than 64 KiB (a token is one line)");
  }
  ::close(fd);
  std::string_view first = text;
  if (auto nl = first.find('\n'); nl != std::string_view::npos) first = first.substr(0, nl);
  first = TrimSpace(first);
  if (first.empty()) {
    return Err(
        Status::InvalidArgument("token file " + path + ": the first line (the token) is empty"));
  }
  if (first.size() < kMinTokenBytes) {
    return Err(Status::InvalidArgument("token file " + path + ": the token is shorter than " +
                                       std::to_string(kMinTokenBytes) + " bytes"));
  }
  for (char c : first) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f) {
      return Err(Status::InvalidArgument("token file " + path +
                                         ": the token holds a space or a control character"));
    }
  }
  return std::string(first);
}

}  // namespace chaosrun::api
