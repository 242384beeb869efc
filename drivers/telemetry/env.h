// How a telemetry driver call sees the world: cancellation and the monotonic clock come from the
// host (driver_sdk's Call and Host); the wall clock (for "observed_at") and the wait between two
// polls are seams for tests. Plain data, copied freely.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace chaosrun::drivers::telemetry {

struct Env {
  std::function<bool()> cancelled;         // may be empty
  std::function<uint64_t()> monotonic_ns;  // the host's clock; empty -> steady_clock
  std::function<int64_t()> wall_ms;        // Unix ms; empty -> system_clock
  std::chrono::milliseconds http_timeout{5000};

  bool Cancelled() const { return cancelled && cancelled(); }
  uint64_t NowNs() const {
    if (monotonic_ns) return monotonic_ns();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
  int64_t WallMs() const {
    if (wall_ms) return wall_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // Waits up to `ms`, in slices of at most 50 ms, returning early (false) once cancelled.
  bool SleepMs(int64_t ms) const;
};

}  // namespace chaosrun::drivers::telemetry
