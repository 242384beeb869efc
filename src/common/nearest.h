// Nearest names: the edit distance between two names, and the known name a mistyped one most
// likely meant ("did you mean ...?"). One implementation for every such suggestion: experiment
// keys (src/validate/keys.cc) and driver arguments (src/plugin/schema_explain.cc).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace chaosrun {

// Damerau-Levenshtein distance (optimal string alignment: insertions, deletions, substitutions
// and transpositions of adjacent characters, each 1), byte-wise.
size_t EditDistance(std::string_view a, std::string_view b);

// The known key that `key` is most likely a typo of: within 1 edit for keys of 4 or 5 bytes,
// within 2 for longer ones; nullopt for shorter keys, known keys and keys farther away.
std::optional<std::string_view> LikelyKey(std::string_view key,
                                          std::span<const std::string_view> known);

}  // namespace chaosrun
