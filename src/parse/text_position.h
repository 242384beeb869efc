// Positions and error text for parse errors: byte offset -> 1-based line/column (columns count
// code points, as Python reports them), UTF-8 checks and a printable rendering of raw bytes.
// Internal to the parse module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chaosrun::parse::internal {

// Nesting deeper than this is refused by both parsers (keeps every recursive walk shallow).
inline constexpr int kMaxNestingDepth = 512;

struct TextPosition {
  size_t line = 1;    // 1-based
  size_t column = 1;  // 1-based, in code points
};

// The position of byte `offset` (clamped to text.size(), i.e. end of input).
TextPosition PositionOf(std::string_view text, size_t offset);

// "<name>:<line>:<column>: <reason>".
std::string FormatAt(std::string_view name, TextPosition pos, std::string_view reason);

// Length of the well-formed UTF-8 sequence starting at text[i] and its code point, or 0 when the
// bytes there are not well-formed UTF-8 (overlong forms and surrogates are ill-formed).
size_t Utf8SequenceAt(std::string_view text, size_t i, char32_t* code_point);

// `s` with control characters and ill-formed UTF-8 shown as \xNN, for error messages.
std::string Printable(std::string_view s);

}  // namespace chaosrun::parse::internal
