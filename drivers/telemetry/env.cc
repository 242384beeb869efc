#include "telemetry/env.h"

#include <algorithm>
#include <thread>

namespace chaosrun::drivers::telemetry {

bool Env::SleepMs(int64_t ms) const {
  const uint64_t end = NowNs() + static_cast<uint64_t>(std::max<int64_t>(ms, 0)) * 1000000ULL;
  while (true) {
    if (Cancelled()) return false;
    uint64_t now = NowNs();
    if (now >= end) return true;
    uint64_t left_ms = (end - now) / 1000000ULL;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<uint64_t>(left_ms, 1, 50)));
  }
}

}  // namespace chaosrun::drivers::telemetry
