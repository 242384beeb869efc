// Cancellation: a CancelSource is triggered once (by a signal handler thread, a deadline, a
// safeguard); every CancelToken copied from it observes that. Tokens are cheap shared handles and
// may be used from any thread. A token also exposes a file descriptor that becomes readable when
// cancelled, so poll()-based code (the process provider) wakes without polling loops.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace chaosrun {

namespace internal {
struct CancelState;
}

class CancelToken {
 public:
  // A token that is never cancelled.
  CancelToken();

  bool cancelled() const;
  std::string reason() const;
  // Readable (POLLIN) once cancelled; -1 for the never-cancelled token.
  int fd() const;
  // Blocks until cancelled or until `deadline`. Returns true if cancelled.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) const;

 private:
  friend class CancelSource;
  explicit CancelToken(std::shared_ptr<internal::CancelState> s) : state_(std::move(s)) {}
  std::shared_ptr<internal::CancelState> state_;
};

class CancelSource {
 public:
  CancelSource();
  CancelToken token() const { return CancelToken(state_); }
  // First call wins; later calls are ignored. Safe from any thread (not from a signal handler).
  void Cancel(const std::string& reason);
  bool cancelled() const;

 private:
  std::shared_ptr<internal::CancelState> state_;
};

}  // namespace chaosrun
