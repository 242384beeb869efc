// The files replace_certificate touches: reading one with its mode and owner, writing one
// atomically (a temp file in the same directory, fsync, rename, fsync of the directory) with a
// given mode and owner, SHA-256 and base64 of bytes. None throws; errors are messages.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace chaosrun::drivers::tls {

inline constexpr size_t kMaxFileBytes = 1 << 20;  // certificates and keys are far smaller

struct FileState {
  bool exists = false;
  std::string bytes;
  mode_t mode = 0;  // permission bits (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  std::string error;  // set when it exists but cannot be read (or is not a regular file)
};

// The canonical path of an existing regular file (realpath: symbolic links and ".." resolved);
// empty and *error set otherwise.
std::string CanonicalFile(const std::string& path, std::string* error);

// Reads a file (at most kMaxFileBytes) without following a final symbolic link. A missing file
// is {exists: false} without an error.
FileState ReadFileState(const std::string& path);

// Replaces `path` atomically by `bytes` with the given mode and owner. "" on success.
std::string WriteFileAtomically(const std::string& path, const std::string& bytes, mode_t mode,
                                uid_t uid, gid_t gid);

std::string Sha256Hex(const std::string& bytes);
std::string Base64Encode(const std::string& bytes);
// False when `text` is not base64 (of the length Base64Encode writes).
bool Base64Decode(const std::string& text, std::string* out);

}  // namespace chaosrun::drivers::tls
