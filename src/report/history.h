// A drill's history page: one row per run, in time order (date, outcome, duration, faults, time
// to detect and to notify), a small SVG trend of time to detect and duration across runs, and a
// link from each run that failed or deviated to its own page when that page exists beside its
// journal (the default output of `chaosrun report JOURNAL`).
#pragma once

#include <string>
#include <vector>

#include "report/model.h"

namespace chaosrun::report {

// One run as the history shows it.
struct HistoryEntry {
  std::string journal;
  std::string title;
  double start = kUnknown;
  std::string status;
  bool deviated = false;
  bool passed = false;  // completed and not deviated
  double duration = kUnknown;
  size_t faults = 0;
  double time_to_detect = kUnknown;
  double time_to_notify = kUnknown;
  std::string page_href;  // relative link to the run's own page ("" = none)
};

HistoryEntry MakeHistoryEntry(const Report& r);

// Sorts by start time (runs without one last, in the order given): stable.
void SortByStart(std::vector<HistoryEntry>& entries);

// The page of a run: the journal's path with its extension replaced by ".html".
std::string DefaultPagePath(const std::string& journal);

// Fills page_href for runs that failed or deviated and whose page exists, relative to the
// directory of `history_path`.
void LinkRunPages(std::vector<HistoryEntry>& entries, const std::string& history_path);

// The trend chart (<svg class="trend">): time to detect and duration per run, in order.
void AppendTrend(std::string& out, const std::vector<HistoryEntry>& entries);

std::string RenderHistoryPage(const std::vector<HistoryEntry>& entries);

}  // namespace chaosrun::report
