// When an event loop may busy-poll: only while no other task on the machine is kept waiting for
// a CPU.
//
// Busy polling (Loop::Run's `busy_poll` window) spares the relay a wake-up per hop, about half
// the latency the proxy adds on a small VM, but the polling thread holds a CPU. On a machine
// with a CPU to spare that costs nothing anyone else wanted; on a saturated one it takes the
// CPU from the very client and server the proxy sits between, and every request gets slower and
// dearer. The kernel measures exactly that: pressure stall information (PSI, /proc/pressure/cpu)
// counts the time during which some runnable task was waiting for a CPU. SpareCpuGate samples it
// (at most once per `interval`) and allows polling while that share stays under `threshold`.
// When polling itself pushes the share up (or anyone else does), polling stops for a back-off
// that doubles each time it is tried again and found harmful, up to `max_backoff`; one interval
// of polling without harm resets it. After the loop had no work for longer than `idle_restart`
// the gate takes a new baseline: the stall counted meanwhile was not its doing. It then polls on
// trial, unless polling was found harmful within the last `max_backoff`: then it first watches
// one interval without polling (a loop that works in short bursts on a saturated machine must
// not poll on trial at every burst). Without PSI (a kernel booted with psi=0, an old kernel) the
// gate never allows polling: "auto" then means "off"; it says so once in the log.
//
// The pressure is the whole machine's (the kernel averages it over the busy CPUs): on a machine
// with many CPUs one task kept waiting by a poller moves it little, and in a container it is the
// host's, not the container's CPU limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace chaosrun::proxy {

// The cumulative "some" stall time of CPU pressure, in microseconds, from the text of
// /proc/pressure/cpu ("some avg10=… avg60=… avg300=… total=N"); nullopt when it is not there.
std::optional<uint64_t> ParseCpuPressureTotal(std::string_view text);

class SpareCpuGate {
 public:
  using Clock = std::chrono::steady_clock;
  // Returns the cumulative stall time (µs) now, or nullopt when it cannot be read.
  using PressureSource = std::function<std::optional<uint64_t>()>;

  struct Options {
    std::chrono::nanoseconds interval = std::chrono::milliseconds(50);
    double threshold = 0.2;  // share of the interval during which some task waited for a CPU
    std::chrono::nanoseconds min_backoff = std::chrono::milliseconds(100);
    std::chrono::nanoseconds max_backoff = std::chrono::seconds(2);
    // A loop that had no work for longer than this starts afresh (see above).
    std::chrono::nanoseconds idle_restart = std::chrono::milliseconds(100);
  };

  SpareCpuGate(PressureSource source, Options options);
  explicit SpareCpuGate(PressureSource source) : SpareCpuGate(std::move(source), Options{}) {}

  // The machine's own source: /proc/pressure/cpu, kept open and re-read with pread.
  static PressureSource SystemSource();

  // Whether the loop may poll now. Cheap between samples (a comparison of times).
  bool Allow(Clock::time_point now);

  std::chrono::nanoseconds backoff() const { return backoff_; }

 private:
  void Sample(Clock::time_point now);

  PressureSource source_;
  Options options_;
  void MarkUnavailable();

  bool unavailable_ = false;
  bool harmed_ = false;  // polling was found harmful at least once (then last_harm_ is set)
  Clock::time_point last_harm_{};
  bool sampled_ = false;
  bool allowed_ = false;
  Clock::time_point last_sample_{};
  Clock::time_point last_call_{};
  uint64_t last_total_ = 0;
  Clock::time_point blocked_until_{};
  std::chrono::nanoseconds backoff_;
};

}  // namespace chaosrun::proxy
