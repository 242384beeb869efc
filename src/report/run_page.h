// One run's page: summary (title, status, deviated, exit meaning, start, duration; faults and
// how each was undone; drill timings), the SVG timeline, and the tables (probes with their
// tolerance and what they saw, every activity's output collapsed with the full text one click
// away, errors with their reasons, and whatever else the journal holds, as data).
// The page's structure (ids and classes the tests and docs/report.md rely on) is documented
// in docs/report.md.
#pragma once

#include <string>

#include "report/model.h"

namespace chaosrun::report {

std::string RenderRunPage(const Report& r);

}  // namespace chaosrun::report
