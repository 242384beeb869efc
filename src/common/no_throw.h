// NoThrow: runs a function and turns any exception into a logged error and a `false` result.
// For the bodies of threads (an exception leaving a thread calls std::terminate, with every
// fault still applied) and for the steps of a run that must happen whatever failed before them
// (the undo, the journal).
#pragma once

#include <exception>
#include <string_view>

#include "common/log.h"

namespace chaosrun {

// Returns true when `body` returned normally; `what` names the step in the log line.
template <class F>
bool NoThrow(std::string_view what, F&& body) noexcept {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    try {
      log::Error("internal error in {}: {}", what, e.what());
    } catch (...) {
    }
  } catch (...) {
    try {
      log::Error("internal error in {}: an unknown exception", what);
    } catch (...) {
    }
  }
  return false;
}

}  // namespace chaosrun
