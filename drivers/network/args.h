// Small argument checks shared by the network driver's actions and probes. Every function
// returns an error message for a person (empty on success) or an optional; none throws.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "process/args.h"

namespace chaosrun::drivers::network {

using nlohmann::json;

// Shared with the process driver (this driver links its core): "unknown argument 'x'" for the
// first key not in `allowed`, and an integer-valued JSON number (5 or 5.0) in [min, max].
using process::IntegerIn;
using process::UnknownKey;
// A finite JSON number in [min, max].
std::optional<double> NumberIn(const json& v, double min, double max);

// The string member `key` of `args`: nullopt when absent; nullopt and *error set when present but
// not a non-empty string.
std::optional<std::string> StringArg(const json& args, const char* key, std::string* error);

// Names the driver passes to tc, ip and the proxy API: letters, digits and "_.-" (and, for a
// proxy or toxic name, nothing that would need escaping in a URL path).
bool IsSafeName(const std::string& s, size_t max_len);
// An interface name as the kernel accepts it here: 1..15 bytes of [A-Za-z0-9_.-].
bool IsInterfaceName(const std::string& s);

}  // namespace chaosrun::drivers::network
