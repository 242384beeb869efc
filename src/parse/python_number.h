// Python's int() and float() of a string, as the reference applies them to environment values
// (`env_var_type`) and to YAML scalars. Used by the YAML loader and by subst's conversions.
// Results are JSON numbers: non-negative integers are unsigned, negative ones signed, as
// nlohmann's own parser produces them. Never throws.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "common/json.h"

namespace chaosrun::parse {

// int(text): surrounding whitespace, an optional sign, decimal digits with single underscores
// between digits. Python keeps integers of any size; values beyond 64 bits are refused here.
// The error is Python's message: "invalid literal for int() with base 10: 'x'".
std::expected<Json, std::string> PythonInt(std::string_view text);

// int(digits, base) for base 2, 8, 10 or 16, digits only (no sign, no whitespace,
// no underscores): the YAML loader strips those itself.
std::expected<Json, std::string> PythonIntBase(std::string_view digits, int base, bool negative);

// float(text): whitespace, sign, decimal/exponent forms with underscores between digits,
// inf/infinity/nan in any case. Overflow gives +-inf as Python does.
std::expected<double, std::string> PythonFloat(std::string_view text);

// The JSON number for a magnitude and sign (unsigned when non-negative).
Json IntegerJson(unsigned long long magnitude, bool negative, bool* overflow);

// Python's str.strip() for the ASCII range (space, \t \n \v \f \r and \x1c-\x1f).
std::string_view PyStrip(std::string_view s);

}  // namespace chaosrun::parse
