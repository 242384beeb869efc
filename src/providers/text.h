// Byte-to-text helpers shared by the process and http providers.
#pragma once

#include <string>
#include <string_view>

namespace chaosrun::providers {

// Decodes `bytes` as UTF-8, replacing every maximal invalid subsequence with U+FFFD (as Python's
// bytes.decode("utf-8", "replace") does). Valid input is returned unchanged.
std::string DecodeUtf8Lossy(std::string_view bytes);

// Decodes ISO-8859-1 (latin-1) bytes to UTF-8, as Python's http.client decodes header values.
std::string DecodeLatin1(std::string_view bytes);

}  // namespace chaosrun::providers
