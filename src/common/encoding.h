// Byte-string encodings shared by the http provider and the redactor: base64 (RFC 4648, the
// standard and the URL-safe alphabet, with or without padding) and percent-encoding (RFC 3986
// unreserved characters kept, as Python's quote(s, safe="") and quote_plus). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chaosrun {

enum class Base64Alphabet { kStandard, kUrlSafe };

std::string Base64Encode(std::string_view bytes,
                         Base64Alphabet alphabet = Base64Alphabet::kStandard, bool pad = true);

// Letters, digits and "_.-~" stay; every other byte becomes %XX (upper-case hex), except a space,
// which becomes '+' when `space_as_plus` (Python's quote_plus) and %20 otherwise.
std::string PercentEncode(std::string_view s, bool space_as_plus);

// Decodes %XX escapes (either case); nullopt when a '%' is not followed by two hex digits. '+' is
// kept ('+' means a space only in form bodies, not in a URL path, user or password).
std::optional<std::string> PercentDecode(std::string_view s);

}  // namespace chaosrun
