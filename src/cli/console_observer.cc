#include "cli/console_observer.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "cli/console_format.h"
#include "cli/console_summary.h"
#include "common/redact.h"

namespace chaosrun::cli {

namespace {

std::string ObserverField(const Json& obj, const char* key, const char* fallback = "") {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

// The logger's text prefix, "[2026-11-27 17:21:19 INFO] " (coloured on a terminal), for the
// one line the console writes itself: a start line left open to be completed in place.
std::string PendingPrefix() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return fmt::format("[{:04}-{:02}-{:02} {:02}:{:02}:{:02} \033[32mINFO\033[0m] ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

void WriteStderr(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::string DryBanner(const std::string& mode) {
  if (mode == "actions") return "DRY RUN (actions): nothing will be injected; probes run";
  if (mode == "activities") return "DRY RUN (activities): no activity runs, nothing is injected";
  if (mode == "probes") return "DRY RUN (probes): probes do not run; actions and faults DO run";
  if (mode == "pause") return "DRY RUN (pause): pauses are skipped; actions and faults DO run";
  return "DRY RUN (" + mode + ")";
}

bool QuietPhase(engine::Phase phase) {
  return phase == engine::Phase::kHypothesisDuring || phase == engine::Phase::kSafeguards;
}

}  // namespace

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

ConsoleObserver::ConsoleObserver(ConsoleOptions options) : options_(options) {}

void ConsoleObserver::EndPendingLocked() {
  if (!pending_) return;
  WriteStderr("\n");
  pending_ = false;
}

void ConsoleObserver::Emit(log::Level level, const std::string& text) {
  std::lock_guard lock(mu_);
  EndPendingLocked();
  log::Write(level, text);
}

void ConsoleObserver::Start(const std::string& text) {
  std::lock_guard lock(mu_);
  EndPendingLocked();
  if (!options_.in_place) {
    log::Write(log::Level::kInfo, text);
    return;
  }
  WriteStderr(PendingPrefix() + Redactor::Global().Redact(text));
  pending_ = true;
  pending_owner_ = std::this_thread::get_id();
}

void ConsoleObserver::Finish(log::Level level, const std::string& text) {
  std::lock_guard lock(mu_);
  if (pending_ && pending_owner_ == std::this_thread::get_id()) {
    WriteStderr("\r\033[K");
    pending_ = false;
  }
  EndPendingLocked();
  log::Write(level, text);
}

void ConsoleObserver::OnRunStarted(const Json& experiment, const engine::Strategies& s) {
  Emit(log::Level::kInfo,
       "Running experiment: " + ObserverField(experiment, "title", "<untitled>"));
  if (std::string dry = ObserverField(experiment, "dry"); !dry.empty()) {
    Emit(log::Level::kInfo, DryBanner(dry));
  }
  Emit(log::Level::kInfo, fmt::format("Steady-state strategy: {}; rollback strategy: {}",
                                      engine::Name(s.hypothesis), engine::Name(s.rollback)));
}

void ConsoleObserver::OnPhaseStarted(engine::Phase phase) {
  switch (phase) {
    case engine::Phase::kHypothesisBefore:
      Emit(log::Level::kInfo, "Steady state hypothesis (before the method)");
      break;
    case engine::Phase::kMethod:
      Emit(log::Level::kInfo, "Playing the experiment's method now...");
      break;
    case engine::Phase::kHypothesisAfter:
      Emit(log::Level::kInfo, "Steady state hypothesis (after the method)");
      break;
    case engine::Phase::kRollbacks:
      Emit(log::Level::kInfo, "Let's rollback...");
      break;
    case engine::Phase::kHypothesisDuring:
    case engine::Phase::kSafeguards:
      break;
  }
}

void ConsoleObserver::OnActivityStarted(engine::Phase phase, const Json& activity,
                                        const Json& provider, bool dry) {
  const auto self = std::this_thread::get_id();
  {
    std::lock_guard lock(mu_);
    requests_[self] = dry ? std::string() : HttpRequestText(provider);
    dry_[self] = dry;
  }
  if (!dry) {
    // --verbose: what runs, as it starts (the logger redacts every secret it knows).
    if (std::string what = VerboseStart(provider); !what.empty()) {
      Emit(log::Level::kDebug, "  " + what);
    }
  }
  if (QuietPhase(phase)) return;
  Start("  " + ActivityLabel(phase, activity) + ": " + ActivityNameOf(activity) + " ...");
}

void ConsoleObserver::OnPause(engine::Phase phase, const Json& activity, std::string_view which,
                              double seconds) {
  if (QuietPhase(phase)) return;
  Emit(log::Level::kInfo,
       fmt::format("  Pause {} {} {}", HumanDuration(seconds), which, ActivityNameOf(activity)));
}

void ConsoleObserver::OnActivityFinished(engine::Phase phase, const Json& record) {
  const auto self = std::this_thread::get_id();
  std::string request;
  bool dry = false;
  {
    std::lock_guard lock(mu_);
    request = requests_[self];
    dry = dry_[self];
    requests_.erase(self);
    dry_.erase(self);
  }
  if (std::string end = VerboseEnd(record, request); !end.empty()) {
    Emit(log::Level::kDebug, "  " + end);
  }
  const Json& activity = record.contains("activity") ? record["activity"] : Json();
  std::string head = "  " + ActivityLabel(phase, activity) + ": " + ActivityNameOf(activity);
  if (phase == engine::Phase::kSafeguards) {
    // Safeguards run every few seconds: only their failures deserve a console line.
    if (record.value("tolerance_met", false)) {
      Emit(log::Level::kDebug, head + " ... ok");
    } else {
      Emit(log::Level::kError,
           "  Safeguard: " + ActivityNameOf(activity) + " ... " + ActivityResult(record));
    }
    return;
  }
  if (phase == engine::Phase::kHypothesisDuring) return;  // one line per check instead
  if (dry) {
    Finish(log::Level::kInfo, head + " ... skipped (dry run)");
    return;
  }
  if (const Json* refusal = Member(record, "refusal"); refusal != nullptr) {
    // The runner's ERROR line that follows gives the reason (the daemon's log has it too).
    std::string rule = ObserverField(*refusal, "rule");
    Finish(log::Level::kInfo, head + " ... REFUSED (" + ObserverField(*refusal, "phase", "?") +
                                  (rule.empty() ? "" : ": " + rule) + "), nothing injected");
    return;
  }
  // A failed activity of the method is data (the experiment may expect it), not an error; a
  // failed rollback leaves something undone.
  bool failed = ObserverField(record, "status") == "failed";
  log::Level level =
      failed && phase == engine::Phase::kRollbacks ? log::Level::kWarning : log::Level::kInfo;
  Finish(level, head + " ... " + ActivityResult(record));
}

void ConsoleObserver::OnHypothesisFinished(engine::Phase phase, const Json& state) {
  bool met = state.value("steady_state_met", false);
  if (phase == engine::Phase::kHypothesisDuring) {
    int n = ++checks_;
    const Json* probes = Member(state, "probes");
    size_t count = probes != nullptr && probes->is_array() ? probes->size() : 0;
    std::string line = fmt::format("Steady state check {}: ", n);
    if (met) {
      line += fmt::format("met ({} probe{})", count, count == 1 ? "" : "s");
    } else {
      line += "NOT met";
      if (count > 0 && probes->back().is_object()) {
        const Json& last = probes->back();
        line += " (" + ActivityNameOf(last.value("activity", Json())) + ": " +
                ActivityResult(last) + ")";
      }
    }
    Emit(log::Level::kInfo, line);
    if (!met && !deviation_warned_.exchange(true)) {
      Emit(log::Level::kWarning, fmt::format("Steady state deviated during the method (first at "
                                             "check {}); later checks are shown as above",
                                             n));
    }
    return;
  }
  if (phase == engine::Phase::kSafeguards) {
    if (!met) Emit(log::Level::kError, "A safeguard failed");
    return;
  }
  if (met) {
    Emit(log::Level::kInfo, "Steady state hypothesis is met!");
  } else {
    Emit(log::Level::kError, "Steady state hypothesis is NOT met");
  }
}

void ConsoleObserver::OnPhaseSkipped(engine::Phase phase, std::string_view why) {
  Emit(log::Level::kInfo, fmt::format("Skipping {}: {}", engine::Name(phase), why));
}

void ConsoleObserver::OnInterrupted(std::string_view reason) {
  Emit(log::Level::kWarning, fmt::format("Interrupted: {}", reason));
}

void ConsoleObserver::OnRunFinished(const Json& journal) {
  std::string status = ObserverField(journal, "status", "?");
  bool deviated = journal.value("deviated", false);
  if (status == "completed" && !deviated) {
    Emit(log::Level::kInfo, "Experiment ended with status: completed");
  } else if (deviated) {
    Emit(log::Level::kWarning, "Experiment ended with status: " + status + " (deviated)");
  } else {
    Emit(log::Level::kError, "Experiment ended with status: " + status);
  }
  for (const auto& [level, line] : SummaryLines(journal)) Emit(level, line);
}

}  // namespace chaosrun::cli
