// The arguments of the kill and stop actions, checked as strictly as the descriptor's schemas
// (the host validates too; this is for direct callers and defence in depth).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "process/selector.h"

namespace chaosrun::drivers::process {

struct ActionSpec {
  std::string action;  // "kill" or "stop"
  Selector selector;
  int signal = 0;  // SIGKILL by default for kill; always SIGSTOP for stop
  std::optional<int64_t> count;
  std::optional<double> percent;
  std::optional<uint64_t> seed;
  std::vector<std::string> restart;  // kill: the argv that brings an instance back
  std::string restart_user;          // kill: restart {"argv", "user"}: run it as this user
};

// An integer-valued JSON number (5 or 5.0) in [min, max].
std::optional<int64_t> IntegerIn(const nlohmann::json& v, int64_t min, int64_t max);
// A non-negative integer (a seed) up to 2^64 - 1.
std::optional<uint64_t> Unsigned(const nlohmann::json& v);

// "unknown argument 'x'" for the first key of `args` not in `allowed`; empty when all known.
std::string UnknownKey(const nlohmann::json& args, std::initializer_list<const char*> allowed);

// Parses the arguments of `func` ("kill" or "stop"). Returns an error message, empty on success.
std::string ParseActionArgs(const std::string& func, const nlohmann::json& args, ActionSpec* out);

}  // namespace chaosrun::drivers::process
