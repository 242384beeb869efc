// The process driver's calls, independent of the SDK plumbing (process_driver.cc) so that tests
// can call them in-process. None of them throws; bad input is CHAOSRUN_INVALID_ARGUMENT.
//
// Plan (prepare's result, passed back to apply):
//   {"targets": ["process:<comm>/<pid>", ...]     (a unit selector adds "unit:<name>" first),
//    "action": "kill"|"stop", "selector": {...}, "signal": 9, "signal_name": "SIGKILL",
//    "seed": N, "matched": M, "pids": [...], "protected": [...],
//    "processes": [{"pid", "comm", "start_time"}], "undo": {...}}
// Undo of stop: {"action": "stop", "processes": [{"pid", "comm", "start_time"}]}
// Undo of kill: {"action": "kill", "selector": {...}, "restart": [argv] | absent,
//                "unit": "<name>" | absent, "baseline": B,
//                "killed": [{"pid", "comm", "start_time", "cmdline"}]}
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "chaosrun/driver_sdk.hpp"
#include "process/selector.h"

namespace chaosrun::drivers::process {

sdk::Reply Prepare(const std::string& func, const nlohmann::json& args, const Env& env);
sdk::Reply Apply(const std::string& func, const nlohmann::json& plan, const Env& env);
sdk::Reply Undo(const std::string& func, const nlohmann::json& undo, const Env& env);
sdk::Reply Probe(const std::string& func, const nlohmann::json& args, const Env& env);

// Runs `fn`, turning any escaping exception into CHAOSRUN_INTERNAL (the SDK does too; this
// keeps the driver's own promise without relying on it).
template <typename Fn>
sdk::Reply NoThrow(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, std::string("process driver: ") + e.what());
  } catch (...) {
    return sdk::Reply::Error(CHAOSRUN_INTERNAL, "process driver: unknown exception");
  }
}

}  // namespace chaosrun::drivers::process
