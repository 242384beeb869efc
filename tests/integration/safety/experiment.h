// Builders of the experiments the safety tests run, and the "gate": a process-provider step
// that marks that the run reached it (at_<name>.<n>) and then waits for the test to let it go
// (go_<name>.<n>) — so the test knows exactly where the runner is without any timing. Gates are
// bounded (30 s) and give up at once when <dir>/abort exists (teardown), so a gate orphaned by
// a SIGKILLed runner never lingers.
#pragma once

#include <string>

#include "common/json.h"

namespace chaosrun::safety_test {

inline Json Gate(const std::string& type, const std::string& name, const std::string& dir) {
  static const char* kScript =
      "n=1; while [ -e \"$1/at_$2.$n\" ]; do n=$((n+1)); done; : > \"$1/at_$2.$n\"; i=0; "
      "while [ ! -e \"$1/go_$2.$n\" ]; do [ -e \"$1/abort\" ] && exit 1; i=$((i+1)); "
      "[ $i -gt 600 ] && exit 1; sleep 0.05; done; exit 0";
  Json a = {{"type", type},
            {"name", "gate-" + name},
            {"provider",
             {{"type", "process"},
              {"path", "sh"},
              {"arguments", Json::array({"-c", kScript, "sh", dir, name})},
              {"timeout", 60}}}};
  if (type == "probe") a["tolerance"] = 0;
  return a;
}

// A bounded shell step: runs `script` (with $1 = dir) as an action.
inline Json Shell(const std::string& name, const std::string& script, const std::string& dir) {
  return {{"type", "action"},
          {"name", name},
          {"provider",
           {{"type", "process"},
            {"path", "sh"},
            {"arguments", Json::array({"-c", script, "sh", dir})},
            {"timeout", 60}}}};
}

inline Json DriverAction(const std::string& name, const std::string& func, const Json& args,
                         double duration = 0) {
  Json p = {{"type", "driver"}, {"driver", "process"}, {"func", func}, {"arguments", args}};
  if (duration > 0) p["duration"] = duration;
  return {{"type", "action"}, {"name", name}, {"provider", p}};
}

inline Json Experiment(const std::string& title, const Json& method) {
  return {{"title", title},
          {"description", "end-to-end safety test of chaosrun (tests/integration/safety)"},
          {"method", method}};
}

}  // namespace chaosrun::safety_test
