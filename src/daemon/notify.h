// systemd's notification protocol (sd_notify, libsystemd): READY=1 once started, STOPPING=1 when
// a stop begins, STATUS= lines, and WATCHDOG=1 pings from the scheduling thread when the unit has
// WatchdogSec (sd_watchdog_enabled), so systemd restarts a daemon whose scheduler hangs. Without
// NOTIFY_SOCKET (not under systemd, tests) every call is a cheap no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace chaosrun::daemon {

class Notifier {
 public:
  Notifier();  // reads NOTIFY_SOCKET and WATCHDOG_USEC once

  bool enabled() const { return enabled_; }
  // How often to ping: half the watchdog interval; nullopt when systemd does not watch.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  void Ready(const std::string& status);
  void Stopping(const std::string& status);
  void Reloading();
  void Status(const std::string& status);
  void Watchdog();

 private:
  void Send(const std::string& text);
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace chaosrun::daemon
