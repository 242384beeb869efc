#include "cli/console_summary.h"

#include <fmt/format.h>

#include <map>

#include "cli/console_format.h"

namespace chaosrun::cli {

namespace {

using SummaryList = std::vector<std::pair<log::Level, std::string>>;

std::string SummaryText(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& ArrayAt(const Json& obj, const char* key) {
  static const Json kEmpty = Json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

std::string HypothesisWord(const Json& state) {
  if (!state.is_object() || !state.contains("steady_state_met")) return "not run";
  const Json& met = state["steady_state_met"];
  if (!met.is_boolean()) return "not finished";
  return met.get<bool>() ? "met" : "NOT met";
}

// "3 checks, all met" / "3 checks, 1 NOT met".
std::string DuringWord(const Json& during) {
  size_t missed = 0;
  for (const auto& s : during) {
    if (!s.value("steady_state_met", false)) ++missed;
  }
  std::string out = fmt::format("{} check{}, ", during.size(), during.size() == 1 ? "" : "s");
  return out + (missed == 0 ? std::string("all met") : fmt::format("{} NOT met", missed));
}

// Adds `item` under `label` while fewer than kSummaryFaults are shown, then one "... and N more".
void Capped(SummaryList& out, size_t& shown, size_t total, log::Level level,
            const std::string& label, const std::string& item) {
  if (shown < kSummaryFaults) {
    out.emplace_back(level, "  " + label + item);
  } else if (shown == kSummaryFaults) {
    out.emplace_back(
        level, fmt::format("  {}... and {} more (see the journal)", label, total - kSummaryFaults));
  }
  ++shown;
}

}  // namespace

SummaryList SummaryLines(const Json& journal) {
  SummaryList out;
  if (!journal.is_object()) return out;
  out.emplace_back(log::Level::kInfo, "Summary");

  // Injected: each applied fault as its activity's record shows it (faults/describe.h).
  std::map<std::string, FaultParts> fault_parts;  // fault id -> its text
  size_t injected = 0;
  const Json& run = ArrayAt(journal, "run");
  size_t total_faults = 0;
  for (const auto& r : run) total_faults += FaultLine(r).empty() ? 0 : 1;
  for (const auto& r : run) {
    std::string line = FaultLine(r);
    if (!line.empty()) {
      std::string id = SummaryText(r["output"], "fault");
      fault_parts[id] = FaultPartsOf(r);
      Capped(out, injected, total_faults, log::Level::kInfo, "injected: ", line);
    }
    if (const Json* refusal = Member(r, "refusal"); refusal != nullptr) {
      out.emplace_back(log::Level::kError,
                       "  refused:  " + ActivityNameOf(r.value("activity", Json())) + ": " +
                           SummaryText(*refusal, "reason"));
    }
  }
  if (total_faults == 0) {
    size_t actions = 0;
    for (const auto& r : run) {
      if (SummaryText(r.value("activity", Json()), "type") == "action") ++actions;
    }
    out.emplace_back(log::Level::kInfo,
                     fmt::format("  injected: no driver fault ({} action{} in the method)", actions,
                                 actions == 1 ? "" : "s"));
  }

  // Observed.
  const Json states = journal.value("steady_states", Json::object());
  std::string observed =
      "  observed: steady state before: " + HypothesisWord(states.value("before", Json())) +
      "; after: " + HypothesisWord(states.value("after", Json()));
  if (const Json& during = ArrayAt(states, "during"); !during.empty()) {
    observed += "; during: " + DuringWord(during);
  }
  observed += journal.value("deviated", false) ? "; DEVIATED" : "; not deviated";
  out.emplace_back(log::Level::kInfo, observed);

  // Undone: each fault of the run (the journal's "faults", from the fault manager).
  const Json& faults = ArrayAt(journal, "faults");
  size_t undone_shown = 0;
  size_t applied = 0;
  for (const auto& f : faults) applied += f.value("applied", false) ? 1 : 0;
  for (const auto& f : faults) {
    if (!f.value("applied", false)) continue;
    std::string id = SummaryText(f, "id");
    std::string what = SummaryText(f, "driver") + "." + SummaryText(f, "func");
    std::string undo;
    if (auto it = fault_parts.find(id); it != fault_parts.end()) {
      what = it->second.what;
      undo = it->second.undo;
    }
    if (f.value("undone", false)) {
      Capped(out, undone_shown, applied, log::Level::kInfo, "undone:   ",
             what + (undo.empty() ? "" : ": " + undo) + " (" + SummaryText(f, "undone_by") + ")");
    } else {
      std::string why = SummaryText(f, "undo_error");
      if (why.empty()) why = "its undo did not finish";
      Capped(out, undone_shown, applied, log::Level::kError,
             "NOT undone: ", what + ": " + why + "; left in the ledger: run `chaosrun recover`");
    }
  }

  // The exit code `chaosrun run` returns for it (engine::RunExitCode, and 1 while a fault is
  // left in the ledger; a journal that cannot be written also makes it 1, said after this).
  std::string status = SummaryText(journal, "status");
  const bool deviated = journal.value("deviated", false);
  bool left = false;
  for (const auto& f : faults) {
    if (f.value("applied", false) && !f.value("undone", false)) left = true;
  }
  const int code = status == "completed" && !deviated && !left ? 0 : 1;
  out.emplace_back(code == 0 ? log::Level::kInfo : log::Level::kWarning,
                   fmt::format("  status:   {}{} (exit code {})", status.empty() ? "?" : status,
                               deviated ? ", deviated" : "", code));
  return out;
}

}  // namespace chaosrun::cli
