#include "session/run_notifications.h"

#include "common/redact.h"

namespace chaosrun::session {

RunNotifications::RunNotifications(const Settings& settings, Clock& clock)
    : notifier_(settings.channels, Redactor::Global(), clock) {}

void RunNotifications::Started(const Json& experiment) {
  experiment_ = experiment;
  started_ = true;
  notifier_.Notify("run-started", experiment);
}

void RunNotifications::Ended(const Outcome& out) {
  if (started_) {
    const Json& payload = out.journal.is_object() ? out.journal : experiment_;
    if (out.status == "completed") {
      notifier_.Notify("run-completed", payload);
    } else {
      notifier_.Notify("run-failed", payload, out.error);
    }
    if (out.deviated) notifier_.Notify("run-deviated", payload);
  }
  (void)notifier_.Finish(kNotificationsDrainSeconds);
}

void NotifyValidation(const Settings& settings, const Json& experiment, bool valid,
                      const std::string& error) {
  if (settings.channels.empty()) return;
  notify::Notifier notifier(settings.channels, Redactor::Global(), SystemClock());
  notifier.Notify("validate-started", experiment);
  if (valid) {
    notifier.Notify("validate-completed", experiment);
  } else {
    notifier.Notify("validate-failed", experiment, error);
  }
  (void)notifier.Finish(kNotificationsDrainSeconds);
}

}  // namespace chaosrun::session
