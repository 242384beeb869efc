// Signal names and numbers as the `signal` argument accepts them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace chaosrun::drivers::process {

// "SIGKILL", "KILL" (upper case, with or without the SIG prefix) or a number 1..SIGRTMAX.
// nullopt for anything else (including 0, which sends nothing).
std::optional<int> ParseSignal(const nlohmann::json& value);

// "SIGKILL" for 9; "SIG<n>" for a signal without a classic name (real-time signals).
std::string SignalName(int signal);

// Every classic name with its SIG prefix, in signal-number order (for the descriptor's enum).
std::vector<std::string> SignalNames();

// Job-control signals (STOP, TSTP, TTIN, TTOU, CONT): not a way to kill, use the stop action.
bool IsJobControlSignal(int signal);

}  // namespace chaosrun::drivers::process
