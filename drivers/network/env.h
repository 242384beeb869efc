// How a network driver call sees the world: cancellation and the clock come from the host; the
// kernel paths are seams for tests. Plain data, copied freely.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace chaosrun::drivers::network {

struct Env {
  std::function<bool()> cancelled;         // may be empty
  std::function<uint64_t()> monotonic_ns;  // the host's clock; empty -> steady_clock
  std::chrono::milliseconds http_timeout{5000};
  // Sent as "Authorization: Bearer" to the proxy API when not empty (read from an action's
  // api_token_file by LoadApiToken; never logged, never put in a plan or an undo).
  std::string api_token;
  std::chrono::milliseconds command_timeout{10000};  // one tc or ip command
  std::string sys_root = "/sys";
  std::string modules_root = "/lib/modules";

  bool Cancelled() const { return cancelled && cancelled(); }
  uint64_t NowNs() const {
    if (monotonic_ns) return monotonic_ns();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
};

}  // namespace chaosrun::drivers::network
