// Times as the journal writes them, and as the report shows them: ISO-8601 text to seconds since
// the Unix epoch, and seconds to short human text. Pure functions, no clock, no locale.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chaosrun::report {

// "2026-11-27T17:21:19.789216+00:00", "...Z", "... 17:21:19" (a space instead of T), and the
// naive form older reference journals wrote (taken as UTC). Seconds since the epoch, with the
// fraction; nullopt for anything else (never throws).
std::optional<double> ParseIsoTime(std::string_view text);

// A duration for people: "850 ms", "1.25 s", "12.3 s", "2 min 05 s", "1 h 02 min".
std::string FormatDuration(double seconds);

// An epoch time as "2026-11-27 17:21:19 UTC".
std::string FormatUtc(double epoch_seconds);

}  // namespace chaosrun::report
