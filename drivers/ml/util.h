// Small self-contained helpers of the ML driver (it may use nothing of chaosrun but the SDK):
// SHA-256 and base64, reading a small file, writing a file atomically, /proc/<pid>/stat, a
// private token file, and argument readers. Every function is thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace chaosrun_ml {

using json = nlohmann::json;

// Files larger than this are refused by the file faults (their bytes go into the undo).
inline constexpr size_t kMaxFileBytes = 1024 * 1024;

std::string Sha256Hex(const std::string& bytes);
std::string Base64Encode(const std::string& bytes);
bool Base64Decode(const std::string& text, std::string* out);

// A regular file's bytes and metadata. `exists` false (and no error) when it is absent.
struct FileState {
  bool exists = false;
  std::string error;  // unreadable, not a regular file, larger than the limit
  std::string bytes;
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};
// Reads `path` (never following a symbolic link at the last component), at most `limit` bytes.
FileState ReadFileState(const std::string& path, size_t limit = kMaxFileBytes);

// realpath() of an existing regular file; "" and *error otherwise.
std::string CanonicalFile(const std::string& path, std::string* error);
// realpath() of an existing directory; "" and *error otherwise.
std::string CanonicalDir(const std::string& path, std::string* error);

// Writes `bytes` to `path` atomically: a temporary file in the same directory, the given mode and
// owner, fsync, rename over `path`, fsync of the directory. "" or the error.
// *renamed (if given) tells whether `path` was replaced: true with an error means only the
// directory's fsync failed (the new bytes are in place, maybe not yet durable).
std::string WriteFileAtomically(const std::string& path, const std::string& bytes, mode_t mode,
                                uid_t uid, gid_t gid, bool* renamed = nullptr);

// Removes the temporary files WriteFileAtomically may leave for `path` when the process is
// killed between creating and renaming one: `.<name>.chaosrun-ml.XXXXXX` (6 letters or digits)
// in the same directory, regular files owned by us, nothing else. The number removed.
int RemoveTempLeftovers(const std::string& path);

// /proc/<pid>/stat: the command name, the state letter and the start time (field 22, clock
// ticks since boot). nullopt when the process does not exist (or is a zombie, when `live`).
struct ProcStat {
  std::string comm;
  char state = '?';
  uint64_t start_time = 0;
};
std::optional<ProcStat> ReadProcStat(pid_t pid);

// The bytes of a small regular file, never blocking (O_NONBLOCK: a FIFO or a device is refused
// by fstat, not read), never following a symbolic link at the last component, at most `limit`
// bytes. "" or the error (not naming any argument: the caller prefixes it).
std::string ReadSmallRegularFile(const std::string& path, size_t limit, std::string* bytes);

// A bearer token from a private file (a regular file owned by us, no group/other access),
// trimmed. "" or the error.
std::string ReadTokenFile(const std::string& path, std::string* token);

// Argument readers: nullopt when absent; *error set when present but wrong.
std::optional<std::string> StringArg(const json& obj, const char* key, std::string* error);
std::optional<int64_t> IntArg(const json& obj, const char* key, int64_t min, int64_t max,
                              std::string* error);
std::optional<double> NumberArg(const json& obj, const char* key, double min, double max,
                                std::string* error);
// An argument error "key: reason" (or "unknown argument 'key'") in the pointer form of the rest of
// chaosrun: "/key: reason" ("/key: unknown argument"); other text unchanged.
std::string ArgPointer(const std::string& error);

// "" when every key of `obj` is one of `allowed` (a null-terminated list), else the message.
std::string UnknownKeys(const json& obj, const char* const* allowed);

}  // namespace chaosrun_ml
