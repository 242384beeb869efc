// Fifo gates for the safety matrix (matrix_test.cc): a process-provider step that marks that the
// run reached it (DIR/at_NAME.N, N counting the occurrences of NAME) and then blocks reading the
// fifo DIR/go_NAME.N, which the test made with mkfifo. Opening a fifo for reading blocks until
// someone opens it for writing: the test releases the gate by opening it for writing and writing
// a byte (cat reads it, sees EOF and exits 0). Nothing polls or sleeps while a gate is closed.
// Bounded twice: `timeout 60` in the step and the provider's own timeout; teardown also opens
// every fifo for writing and kills whatever is left.
#pragma once

#include <string>

#include "common/json.h"

namespace chaosrun::safety_test {

inline Json FifoGate(const std::string& type, const std::string& name, const std::string& dir) {
  static const char* kScript =
      "n=1; while [ -e \"$1/at_$2.$n\" ]; do n=$((n+1)); done; : > \"$1/at_$2.$n\"; "
      "exec timeout 60 cat \"$1/go_$2.$n\"";
  Json a = {{"type", type},
            {"name", "gate-" + name},
            {"provider",
             {{"type", "process"},
              {"path", "sh"},
              {"arguments", Json::array({"-c", kScript, "sh", dir, name})},
              {"timeout", 90}}}};
  if (type == "probe") a["tolerance"] = 0;
  return a;
}

// Makes the fifo DIR/go_<occurrence> (e.g. "hb.2"). False on failure.
bool MakeGateFifo(const std::string& dir, const std::string& occurrence);

// Whether the run reached the gate occurrence (DIR/at_<occurrence> exists).
bool GateReached(const std::string& dir, const std::string& occurrence);

// Lets the gate occurrence go: waits (capped) until its reader has the fifo open, then writes a
// byte and closes it. False when no reader came within the cap.
bool ReleaseGate(const std::string& dir, const std::string& occurrence);

// Teardown: opens DIR/go_<occurrence> for writing without blocking (only succeeds when a reader
// waits) and closes it, so a reader blocked on it ends.
void UnblockGate(const std::string& dir, const std::string& occurrence);

}  // namespace chaosrun::safety_test
