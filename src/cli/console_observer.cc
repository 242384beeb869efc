#include "cli/console_observer.h"

#include <string>

#include "common/log.h"

namespace chaosrun::cli {

namespace {

std::string Str(const Json& obj, const char* key, const char* fallback = "") {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::string Label(engine::Phase phase, const Json& activity) {
  if (phase == engine::Phase::kRollbacks) return "Rollback";
  return Str(activity, "type") == "probe" ? "Probe" : "Action";
}

std::string Summary(const Json& output) {
  if (!output.is_object()) return {};
  if (output.contains("status") && output["status"].is_number_integer()) {
    return " (status " + std::to_string(output["status"].get<int64_t>()) + ")";
  }
  return {};
}

}  // namespace

void ConsoleObserver::OnRunStarted(const Json& experiment, const engine::Strategies& s) {
  log::Info("Running experiment: {}", Str(experiment, "title", "<untitled>"));
  log::Info("Steady-state strategy: {}; rollback strategy: {}", engine::Name(s.hypothesis),
            engine::Name(s.rollback));
}

void ConsoleObserver::OnPhaseStarted(engine::Phase phase) {
  switch (phase) {
    case engine::Phase::kHypothesisBefore:
      log::Info("Steady state hypothesis (before the method)");
      break;
    case engine::Phase::kMethod:
      log::Info("Playing the experiment's method now...");
      break;
    case engine::Phase::kHypothesisAfter:
      log::Info("Steady state hypothesis (after the method)");
      break;
    case engine::Phase::kRollbacks:
      log::Info("Let's rollback...");
      break;
    case engine::Phase::kHypothesisDuring:
      break;
    case engine::Phase::kSafeguards:
      break;
  }
}

void ConsoleObserver::OnActivityFinished(engine::Phase phase, const Json& record) {
  if (phase == engine::Phase::kSafeguards && record.value("tolerance_met", false)) {
    // Safeguards run every few seconds: only their failures deserve a console line.
    log::Debug("  Safeguard: {} ... ok", Str(record["activity"], "name", "<unnamed>"));
    return;
  }
  const Json& activity = record.contains("activity") ? record["activity"] : Json();
  std::string name = Str(activity, "name", "<unnamed>");
  std::string label =
      phase == engine::Phase::kHypothesisBefore || phase == engine::Phase::kHypothesisAfter ||
              phase == engine::Phase::kHypothesisDuring || phase == engine::Phase::kSafeguards
          ? "Probe"
          : Label(phase, activity);
  double duration = record.value("duration", 0.0);
  std::string status = Str(record, "status", "interrupted");
  if (status == "failed") {
    std::string why;
    if (record.contains("exception") && record["exception"].is_array() &&
        !record["exception"].empty() && record["exception"].back().is_string()) {
      why = record["exception"].back().get<std::string>();
      if (!why.empty() && why.back() == '\n') why.pop_back();
      const std::string prefix = "chaoslib.exceptions.ActivityFailed: ";
      if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
    }
    log::Error("  {}: {} ... failed: {} [{:.3f} s]", label, name, why, duration);
    return;
  }
  std::string tol;
  if (record.contains("tolerance_met")) {
    tol = record["tolerance_met"].get<bool>() ? ", tolerance met" : ", tolerance NOT met";
    if (record.contains("tolerance_reason") && record["tolerance_reason"].is_string()) {
      tol += " (" + record["tolerance_reason"].get<std::string>() + ")";
    }
  }
  log::Info("  {}: {} ... {}{}{} [{:.3f} s]", label, name, status, Summary(record["output"]), tol,
            duration);
}

void ConsoleObserver::OnHypothesisFinished(engine::Phase phase, const Json& state) {
  bool met = state.value("steady_state_met", false);
  if (phase == engine::Phase::kHypothesisDuring) {
    if (!met) log::Warn("Steady state deviated during the method");
    return;
  }
  if (phase == engine::Phase::kSafeguards) {
    if (!met) log::Error("A safeguard failed");
    return;
  }
  if (met) {
    log::Info("Steady state hypothesis is met!");
  } else {
    log::Error("Steady state hypothesis is NOT met");
  }
}

void ConsoleObserver::OnPhaseSkipped(engine::Phase phase, std::string_view why) {
  log::Info("Skipping {}: {}", engine::Name(phase), why);
}

void ConsoleObserver::OnInterrupted(std::string_view reason) {
  log::Warn("Interrupted: {}", reason);
}

void ConsoleObserver::OnRunFinished(const Json& journal) {
  std::string status = Str(journal, "status", "?");
  bool deviated = journal.value("deviated", false);
  if (status == "completed" && !deviated) {
    log::Info("Experiment ended with status: completed");
  } else if (deviated) {
    log::Warn("Experiment ended with status: {} (deviated)", status);
  } else {
    log::Error("Experiment ended with status: {}", status);
  }
}

}  // namespace chaosrun::cli
