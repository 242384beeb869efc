// Reading a private bearer-token file: the one check chaosrund (its own token_file), `chaosrun
// remote --token-file` and the network driver (`api_token_file`, to reach chaosrund's
// /toxiproxy/) share. Header-only and free of chaosrun's libraries (only the C++ and POSIX
// libraries), so a driver plugin can include it without linking the host's code. Never throws.
//
// The token is the file's first line, trimmed. Refused when the file is a symbolic link, not a
// regular file, not owned by the effective uid, has any group or other permission bit, is over
// 64 KiB, or holds an empty token, one shorter than kMinTokenBytes, or one with a space or a
// control character.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace chaosrun::api {

// The shortest token the server and the token file accept.
inline constexpr size_t kMinTokenBytes = 16;

struct TokenFileRead {
  enum class Error { kNone, kNotFound, kIo, kRefused };
  Error error = Error::kNone;
  std::string message;  // "token file PATH: <why>" when error != kNone
  std::string token;
};

// `user` names the effective user in the ownership message ("the user chaosrund runs as").
inline TokenFileRead ReadTokenFile(const std::string& path, std::string_view user) {
  TokenFileRead out;
  auto fail = [&](TokenFileRead::Error e, const std::string& why) {
    out.error = e;
    out.message = "token file " + path + ": " + why;
    out.token.clear();
    return out;
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    if (e == ELOOP) {
      return fail(TokenFileRead::Error::kRefused, "is a symbolic link (it must be a regular file)");
    }
    return fail(e == ENOENT ? TokenFileRead::Error::kNotFound : TokenFileRead::Error::kIo,
                std::strerror(e));
  }
  struct stat st {};
  std::string refusal;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return fail(TokenFileRead::Error::kIo, std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    refusal = "is not a regular file";
  } else if (st.st_uid != ::geteuid()) {
    refusal = "is owned by uid " + std::to_string(st.st_uid) + ", not by uid " +
              std::to_string(::geteuid()) + " (" + std::string(user) + ")";
  } else if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    refusal =
        std::string("has mode ") + mode + ": group and others must have no permission (chmod 600)";
  } else if (st.st_size > 64 * 1024) {
    refusal = "is larger than 64 KiB (a token is one line)";
  }
  std::string text;
  char buf[4096];
  while (refusal.empty()) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return fail(TokenFileRead::Error::kIo, std::strerror(e));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 64 * 1024) refusal = "is larger than 64 KiB (a token is one line)";
  }
  ::close(fd);
  if (!refusal.empty()) return fail(TokenFileRead::Error::kRefused, refusal);
  std::string_view first = text;
  if (auto nl = first.find('\n'); nl != std::string_view::npos) first = first.substr(0, nl);
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!first.empty() && space(first.front())) first.remove_prefix(1);
  while (!first.empty() && space(first.back())) first.remove_suffix(1);
  if (first.empty()) {
    return fail(TokenFileRead::Error::kRefused, "the first line (the token) is empty");
  }
  if (first.size() < kMinTokenBytes) {
    return fail(TokenFileRead::Error::kRefused,
                "the token is shorter than " + std::to_string(kMinTokenBytes) + " bytes");
  }
  for (char c : first) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f) {
      return fail(TokenFileRead::Error::kRefused, "the token holds a space or a control character");
    }
  }
  out.token = std::string(first);
  return out;
}

}  // namespace chaosrun::api
