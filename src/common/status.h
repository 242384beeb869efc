// Status and Result<T>: the one error family of chaosrun.
//
// A Status says "chaosrun itself could not do this" (bad input, I/O, a parse error). An activity
// that fails (a probe times out, a tolerance is missed) is *data* and never a Status. Statuses are
// cheap to copy, never thrown, and carry a human-readable message; validation problems carry the
// JSON pointer of the field in the message ("/method/0/provider: ...").
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace chaosrun {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (usage, experiment content)
  kNotFound,         // a file, key or name that should exist does not
  kParseError,       // JSON/YAML syntax; message names line and column
  kIoError,          // the OS refused (open, write, fork, ...)
  kTimeout,
  kCancelled,      // interrupted by a signal or a cancellation token
  kUnsupported,    // understood but not supported by this build (e.g. python providers)
  kInternal,       // a bug in chaosrun
  kAlreadyExists,  // a name that must be new is taken (a proxy, a toxic)
  kUnavailable,    // not now: a queue is full, the kill switch is set, the daemon is stopping
  kFailedPrecondition,  // the state does not allow it (aborting a run that has ended)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status ParseError(std::string m) { return {Code::kParseError, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Timeout(std::string m) { return {Code::kTimeout, std::move(m)}; }
  static Status Cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
  static Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Status>;

// `return Err(Status::NotFound("..."));` inside a function returning Result<T>.
inline std::unexpected<Status> Err(Status s) { return std::unexpected<Status>(std::move(s)); }

}  // namespace chaosrun
