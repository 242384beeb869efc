// The settings' notifications of a run and of `validate` (docs/settings.md), as the reference
// sends them: run-started once the experiment is loaded; at the end run-completed (status
// completed, deviated or not) or run-failed, and run-deviated when it deviated;
// validate-started, then validate-completed or validate-failed. chaosrun also sends run-failed
// (with the reason in `error`) when the run stops after run-started without reaching the engine
// (not valid, faults pending, the policy refuses): the reference sends nothing then.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/json.h"
#include "notify/notifier.h"
#include "session/session.h"
#include "session/settings.h"

namespace chaosrun::session {

// How long the end of a run or a validation waits for its notifications to go out.
inline constexpr double kNotificationsDrainSeconds = 10;

class RunNotifications {
 public:
  RunNotifications(const Settings& settings, Clock& clock);
  void Started(const Json& experiment);
  // After the pipeline (once): the end events from `out`, then waits for them (bounded).
  void Ended(const Outcome& out);
  // The wait of Ended() (running or to come) ends at once (notify::Notifier::Interrupt).
  void Interrupt(const std::string& reason) { notifier_.Interrupt(reason); }

 private:
  notify::Notifier notifier_;
  Json experiment_;
  bool started_ = false;
};

// validate-started / -completed / -failed around a validation.
void NotifyValidation(const Settings& settings, const Json& experiment, bool valid,
                      const std::string& error);

}  // namespace chaosrun::session
