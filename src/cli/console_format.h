// Pure text helpers of the console (cli/console_observer.h): durations for people, the label and
// result of an activity, one line per fault, and the --verbose lines of what an activity runs.
// Nothing here prints or redacts: the observer passes every line through the logger, which
// redacts secrets (common/redact.h).
#pragma once

#include <string>

#include "common/json.h"
#include "common/url_text.h"
#include "engine/observer.h"

namespace chaosrun::cli {

// "250 ms", "1 s", "1.5 s", "12.3 s", "2 min 5 s", "1 h 2 min" (report::FormatDuration without
// its trailing zeros).
std::string HumanDuration(double seconds);

// "Probe", "Action" or "Rollback" for an activity of `phase`.
std::string ActivityLabel(engine::Phase phase, const Json& activity);
std::string ActivityNameOf(const Json& activity);

// The result part of a finished record: "succeeded (status 0), tolerance met [3 ms]",
// "failed: connection refused [1 s]", "fault injected: ...". The fault line is FaultLine().
std::string ActivityResult(const Json& record);

// The parts of a driver fault's line: "process.stop on python3 (pid 12)", "1 s" (or ""),
// "SIGCONT pid 12" (or ""). `what` is "" when the record is not an applied fault.
struct FaultParts {
  std::string what;
  std::string duration;
  std::string undo;
};
FaultParts FaultPartsOf(const Json& record);

// A driver fault from an action's output (FaultManager::Run: targets, undo_description,
// max_duration) and its provider: "process.stop on python3 (pid 12), 1 s; undo: SIGCONT pid 12".
// "" when the record is not an applied fault.
std::string FaultLine(const Json& record);

// The --verbose line of what a provider runs: "command: sh -c 'kill -0 12'", "request: GET
// http://127.0.0.1:8080/health?… (timeout 1 s)", "python: mod.func". "" for drivers (the
// fault manager logs its driver calls) and unknown types.
std::string VerboseStart(const Json& provider);
// "GET http://127.0.0.1:8080/health?…" for an http provider (substituted), else "".
std::string HttpRequestText(const Json& provider);
// "response: 200 from GET http://... in 3 ms" for a finished http activity whose request was
// `request` (HttpRequestText at its start), else "".
std::string VerboseEnd(const Json& record, const std::string& request);

// A URL without its credentials, query and fragment ("?…" marks a dropped query).
using chaosrun::ShownUrl;  // common/url_text.h
// argv as a shell would read it (single quotes where needed).
std::string ShellJoin(const Json& argv);

}  // namespace chaosrun::cli
