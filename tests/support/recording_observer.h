// RecordingObserver: keeps every engine event as a short string ("phase:method",
// "activity:method:name:succeeded", "hypothesis:before:met", ...) so tests assert on events,
// not on log text. Optional hooks let a test react to an event (release a latch, interrupt).
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/observer.h"

namespace chaosrun::testing {

class RecordingObserver final : public engine::Observer {
 public:
  std::function<void(engine::Phase, const Json&)> on_activity;
  std::function<void(engine::Phase, const Json&)> on_hypothesis;

  void OnPhaseStarted(engine::Phase p) override { Add("phase:" + std::string(engine::Name(p))); }
  void OnActivityFinished(engine::Phase p, const Json& record) override {
    std::string status =
        record.contains("status") ? record["status"].get<std::string>() : "interrupted";
    Add("activity:" + std::string(engine::Name(p)) + ":" + record["activity"].value("name", "?") +
        ":" + status);
    if (on_activity) on_activity(p, record);
  }
  void OnHypothesisFinished(engine::Phase p, const Json& state) override {
    Add("hypothesis:" + std::string(engine::Name(p)) + ":" +
        (state.value("steady_state_met", false) ? "met" : "not-met"));
    if (on_hypothesis) on_hypothesis(p, state);
  }
  void OnPhaseSkipped(engine::Phase p, std::string_view) override {
    Add("skipped:" + std::string(engine::Name(p)));
  }
  void OnInterrupted(std::string_view) override { Add("interrupted"); }

  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  bool Has(const std::string& e) const {
    std::lock_guard lock(mu_);
    for (const auto& x : events_) {
      if (x == e) return true;
    }
    return false;
  }

 private:
  void Add(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

}  // namespace chaosrun::testing
