// Dry modes decide by what the provider does (Dispatcher::ChangesWorld), not only by the
// activity's label, and an activity's own `dry` never weakens the run's mode. The dispatcher here
// is a recording fake: a provider with "changes": true stands for a driver action.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "engine/runner.h"
#include "support/fake_clock.h"
#include "support/recording_observer.h"

namespace chaosrun::engine {
namespace {

class WorldDispatcher final : public providers::Dispatcher {
 public:
  providers::Outcome Run(const Json& activity, const Json&, const providers::Context&) override {
    std::lock_guard lock(mu_);
    calls_.push_back(activity.value("name", ""));
    return providers::Outcome::Succeeded(Json{{"status", 0}});
  }
  bool ChangesWorld(const Json& provider) const override {
    return provider.value("changes", false);
  }
  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

class DryWorldTest : public ::testing::Test {
 protected:
  std::vector<std::string> RunWith(DryMode dry) {
    const Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [
      {"type": "probe", "name": "fault-in-a-probe", "provider": {"type": "process", "path": "true", "changes": true}},
      {"type": "probe", "name": "plain-probe", "provider": {"type": "process", "path": "true"}},
      {"type": "action", "name": "plain-action", "provider": {"type": "process", "path": "true"}},
      {"type": "action", "name": "action-dry-probes", "dry": "probes", "provider": {"type": "process", "path": "true"}}
    ]})");
    RunOptions options;
    options.dry = dry;
    options.env = [](const std::string&) { return std::optional<std::string>(); };
    WorldDispatcher dispatcher;
    Runner runner(clock_, dispatcher, observer_);
    runner.Run(doc, options);
    return dispatcher.calls();
  }

  testing::FakeClock clock_;
  testing::RecordingObserver observer_;
};

using Calls = std::vector<std::string>;

TEST_F(DryWorldTest, DryActionsSkipsAProbeWhoseProviderChangesTheWorld) {
  EXPECT_EQ(RunWith(DryMode::kActions), Calls({"plain-probe"}));
}

TEST_F(DryWorldTest, DryActivitiesRunsNothing) {
  EXPECT_EQ(RunWith(DryMode::kActivities), Calls{});
}

TEST_F(DryWorldTest, DryProbesRunsWhatChangesTheWorldAndTheActivitysOwnDryAddsToIt) {
  // "action-dry-probes" is an action: its own "probes" mode does not skip it.
  EXPECT_EQ(RunWith(DryMode::kProbes),
            Calls({"fault-in-a-probe", "plain-action", "action-dry-probes"}));
}

TEST_F(DryWorldTest, NotDryRunsEverything) {
  EXPECT_EQ(RunWith(DryMode::kNone),
            Calls({"fault-in-a-probe", "plain-probe", "plain-action", "action-dry-probes"}));
}

}  // namespace
}  // namespace chaosrun::engine
