#include "proxy/busy_poll.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <utility>

#include "common/log.h"

namespace chaosrun::proxy {

std::optional<uint64_t> ParseCpuPressureTotal(std::string_view text) {
  // The "some" line is the first; "full" (all non-idle tasks stalled at once) is not wanted.
  size_t line_end = text.find('\n');
  std::string_view line = text.substr(0, line_end);
  if (line.substr(0, 5) != "some ") return std::nullopt;
  size_t at = line.find(" total=");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(at + 7);
  uint64_t total = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), total);
  if (ec != std::errc{} || end == digits.data()) return std::nullopt;
  return total;
}

SpareCpuGate::SpareCpuGate(PressureSource source, Options options)
    : source_(std::move(source)), options_(options), backoff_(options.min_backoff) {}

SpareCpuGate::PressureSource SpareCpuGate::SystemSource() {
  struct File {
    int fd = ::open("/proc/pressure/cpu", O_RDONLY | O_CLOEXEC);
    ~File() {
      if (fd >= 0) ::close(fd);
    }
  };
  auto file = std::make_shared<File>();
  return [file]() -> std::optional<uint64_t> {
    if (file->fd < 0) return std::nullopt;
    char buf[256];
    ssize_t n = ::pread(file->fd, buf, sizeof buf, 0);  // a proc file is produced anew at 0
    if (n <= 0) return std::nullopt;
    return ParseCpuPressureTotal(std::string_view(buf, static_cast<size_t>(n)));
  };
}

void SpareCpuGate::MarkUnavailable() {
  unavailable_ = true;
  allowed_ = false;
  log::Info(
      "proxy: no CPU pressure information (/proc/pressure/cpu): --busy-poll auto does not poll");
}

bool SpareCpuGate::Allow(Clock::time_point now) {
  if (unavailable_) return false;
  Clock::time_point previous_call = last_call_;
  last_call_ = now;
  // The first call, or the first after the loop had no work for a while: the stall counted
  // meanwhile says nothing of polling (others' work, another proxy's), so take a new baseline.
  if (!sampled_ || now - previous_call > options_.idle_restart) {
    std::optional<uint64_t> total = source_();
    if (!total) {
      MarkUnavailable();
      return false;
    }
    // On trial (the next interval's sample judges it), unless polling did harm recently: then
    // the next interval is watched without polling first.
    allowed_ = !(harmed_ && now - last_harm_ < options_.max_backoff);
    sampled_ = true;
    last_total_ = *total;
    last_sample_ = now;
    return allowed_ && now >= blocked_until_;
  }
  if (now < blocked_until_) return false;
  if (now - last_sample_ >= options_.interval) Sample(now);
  return allowed_;
}

void SpareCpuGate::Sample(Clock::time_point now) {
  std::optional<uint64_t> total = source_();
  if (!total) {
    MarkUnavailable();
    return;
  }
  auto elapsed_us = std::chrono::duration<double, std::micro>(now - last_sample_).count();
  uint64_t stalled_us = *total >= last_total_ ? *total - last_total_ : 0;
  bool was_polling = allowed_;
  last_sample_ = now;
  last_total_ = *total;
  if (elapsed_us <= 0) return;
  if (static_cast<double>(stalled_us) >= options_.threshold * elapsed_us) {
    // Some task waited for a CPU: stop polling for a while. The next sample, after the back-off,
    // covers the time without polling and allows it again on trial.
    allowed_ = false;
    blocked_until_ = now + backoff_;
    if (was_polling) {
      backoff_ = std::min(backoff_ * 2, options_.max_backoff);
      harmed_ = true;
      last_harm_ = now;
    }
  } else {
    allowed_ = true;
    if (was_polling) backoff_ = options_.min_backoff;  // polled for an interval, and no harm
  }
}

}  // namespace chaosrun::proxy
