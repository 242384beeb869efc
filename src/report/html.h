// HTML text: escaping of untrusted journal strings and truncation that never cuts a UTF-8
// character. Every string that comes from a journal goes through AppendEscaped (text and
// attribute values alike), so a journal can never add markup to a report.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chaosrun::report {

// Appends `text` with & < > " ' as entities. Also makes it safe XML text: invalid UTF-8 and
// control characters other than tab, newline and carriage return become U+FFFD.
void AppendEscaped(std::string& out, std::string_view text);
std::string Escape(std::string_view text);

// At most `max_chars` code points of `text`; `*cut` says whether anything was left out.
std::string_view TruncateUtf8(std::string_view text, size_t max_chars, bool* cut);

// A number for an SVG attribute: fixed, 1 decimal, no locale ("12.5", "-3.0").
std::string Num(double v);

// An element id/class-safe token from any text: [A-Za-z0-9_-] kept, everything else '-'.
std::string Token(std::string_view text);

}  // namespace chaosrun::report
