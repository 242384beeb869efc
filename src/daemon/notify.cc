#include "daemon/notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>

namespace chaosrun::daemon {

Notifier::Notifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(usec / 2);
  }
}

void Notifier::Send(const std::string& text) {
  if (enabled_) sd_notify(/*unset_environment=*/0, text.c_str());
}

void Notifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }
void Notifier::Stopping(const std::string& status) { Send("STOPPING=1\nSTATUS=" + status); }
void Notifier::Reloading() { Send("RELOADING=1"); }
void Notifier::Status(const std::string& status) { Send("STATUS=" + status); }
void Notifier::Watchdog() {
  if (watchdog_) Send("WATCHDOG=1");
}

}  // namespace chaosrun::daemon
