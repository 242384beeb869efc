// Shared fixture for engine tests: a fake clock, a scripted dispatcher and a recording observer.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/runner.h"
#include "support/fake_clock.h"
#include "support/fake_dispatcher.h"
#include "support/recording_observer.h"

namespace chaosrun::engine {

class EngineTest : public ::testing::Test {
 protected:
  RunResult RunDoc(const std::string& json_text, RunOptions options = {}) {
    Json doc = Json::parse(json_text);
    if (!options.env) options.env = [](const std::string&) { return std::optional<std::string>(); };
    return runner_.Run(doc, options);
  }

  // A process-style probe/action named `name`.
  static std::string Act(const std::string& type, const std::string& name,
                         const std::string& extra = "") {
    return R"({"type": ")" + type + R"(", "name": ")" + name +
           R"(", "provider": {"type": "process", "path": "true"})" + extra + "}";
  }

  testing::FakeClock clock_;
  testing::FakeDispatcher dispatcher_;
  testing::RecordingObserver observer_;
  Runner runner_{clock_, dispatcher_, observer_};
};

}  // namespace chaosrun::engine
