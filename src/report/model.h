// The report model: what one journal says, flattened for drawing. Built from chaosrun's journals
// and the reference Chaos Toolkit's alike. Tolerant: a key the model does not know is kept as
// data (`extras`), a missing or oddly typed optional value is left unknown (NaN / empty). Only a
// journal that cannot be read as a journal at all (not JSON, not an object, `run` not a list,
// a record that is not an object, a time that is not ISO-8601) is an error, naming the file and
// the JSON pointer. Plain data; no I/O except ReadReport().
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::report {

inline constexpr double kUnknown = NAN;  // a time or duration the journal does not give

// One run record: a method activity, a hypothesis probe or a rollback.
struct ActivityRecord {
  std::string pointer;  // e.g. "/run/3"
  std::string name;
  std::string type;      // "action", "probe", or what the journal says
  std::string status;    // "succeeded", "failed", "" when absent (interrupted mid-flight)
  std::string provider;  // "process sh", "http http://…", "driver process.stop"
  bool background = false;
  double start = kUnknown;  // epoch seconds
  double end = kUnknown;
  double pause_before = 0;  // seconds, from activity.pauses
  double pause_after = 0;
  std::string output;  // the output, pretty JSON (a string output as is); "" when null/absent
  bool has_output = false;
  std::string error;      // the reason: the exception's last line, trimmed
  std::string traceback;  // every exception line, joined
  std::string tolerance;  // compact JSON of activity.tolerance ("" when none)
  std::optional<bool> tolerance_met;
  std::string tolerance_reason;
  std::string fault;   // fault id: the output's "fault" (apply) or the record's "fault" (undo)
  std::string reason;  // rollbacks: why the undo ran
};

// A steady-state hypothesis check: before, after, one continuous check (during) or a safeguard.
struct HypothesisCheck {
  std::string pointer;  // "/steady_states/before", "/steady_states/during/2", "/safeguards/0"
  std::string phase;    // "before", "after", "during", "safeguard"
  std::optional<bool> met;
  std::vector<ActivityRecord> probes;
  double start = kUnknown;  // the first probe's start, the last probe's end
  double end = kUnknown;
};

struct Fault {
  std::string id, activity, driver, func;
  std::vector<std::string> targets;
  bool applied = false;
  bool undone = false;
  std::string undone_by;
  std::string undo_error;
  double applied_at = kUnknown;  // start of the activity that applied it
  double undone_at = kUnknown;   // end of the undo record
  std::string undo_activity;     // the undo record's name
};

// Drill timings (docs/report.md, "What the report reads"): seconds and epoch times.
struct Drill {
  double time_to_detect = kUnknown;
  double time_to_notify = kUnknown;
  double time_to_recover = kUnknown;
  double alert_fired_at = kUnknown;
  double notification_received_at = kUnknown;
  double alert_resolved_at = kUnknown;
  bool present = false;
};

// A journal member the model does not draw, shown as data.
struct Extra {
  std::string pointer;
  std::string json;  // pretty
};

struct Report {
  std::string file;  // as given
  std::string title, description;
  std::string engine;      // chaoslib-version
  bool reference = false;  // written by Chaos Toolkit (engine does not start with "chaosrun")
  std::string node, platform;
  std::string status;
  std::optional<bool> deviated;
  std::string start_text, end_text;
  double start = kUnknown, end = kUnknown, duration = kUnknown;
  std::string interruption;
  std::vector<HypothesisCheck> checks;  // before, during…, after, safeguards…
  std::vector<ActivityRecord> run;
  std::vector<ActivityRecord> rollbacks;
  std::vector<Fault> faults;
  Drill drill;
  std::vector<Extra> extras;
};

// What the exit code of `chaosrun run` was for this outcome, in words ("0: completed, not
// deviated"; "1: deviated"; …).
std::string ExitMeaning(const Report& r);

// Journal JSON -> model. `file` names the journal in errors ("FILE: /run/3/start: …").
Result<Report> BuildReport(const Json& journal, const std::string& file);

// Reads and parses the file, then BuildReport. Syntax errors name the file, line and column.
Result<Report> ReadReport(const std::string& path);

}  // namespace chaosrun::report
