// Signal names and numbers as the `signal` argument accepts them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "process/selector.h"

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

// Sends `sig` to `pid` only while it is still the process that started at `start_time`, so a
// recycled pid is never hit: a pidfd is opened first (pidfd_open), the start time is checked
// after it (so the pidfd refers to the process checked), and the signal goes through the pidfd
// (pidfd_send_signal). Returns "" when sent, otherwise why not: "exited", "pid reused by another
// process", "permission denied", "pidfd unsupported by this kernel (Linux 5.3 or later)", ...
std::string SignalSameProcess(const Env& env, int pid, uint64_t start_time, int sig);

}  // namespace chaosrun::drivers::process
