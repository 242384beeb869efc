// A fire drill's times, read from a finished journal (docs/fire-drills.md): a pure function, so
// the engine calls it once the journal is complete and tests call it on journals.
//
// A drill marks the probes that end a measurement with the driver argument
// `"measure": "time_to_detect" | "time_to_notify" | "time_to_recover"`; their output carries
// `observed_at` (the telemetry driver's wait_until form: when the condition was seen to hold,
// only when it held). Each is measured from the drill's fault:
//   time_to_detect  = observed_at - the fault's apply        (alert_fired_at)
//   time_to_notify  = observed_at - the fault's apply        (notification_received_at)
//   time_to_recover = observed_at - the end of the fault's undo (alert_resolved_at)
// The fault is the last driver action applied before the probe (its run record's `end`,
// output.fault = the fault's id), other than the telemetry driver's start_notification_sink; its
// undo is the rollbacks record with that fault id. A time that cannot be measured (the probe's
// condition never held, no fault before it, the undo came after the observation) is null; when
// the drill measures time_to_detect and nothing was detected, time_to_recover is null too.
#pragma once

#include "common/json.h"

namespace chaosrun::journal {

// {"time_to_detect": s|null, "time_to_notify": s|null, "time_to_recover": s|null,
//  "alert_fired_at", "notification_received_at", "alert_resolved_at": ISO|null,
//  "fault": id, "fault_applied_at": ISO, "fault_undone_at": ISO|null}
// or null when no run record measures anything (not a drill). Never throws.
Json DrillTimes(const Json& journal);

}  // namespace chaosrun::journal
