// The run's timeline as inline SVG: one time axis; rows for the steady-state checks before and
// after, the method (bars coloured by outcome), background activities on lanes of their own,
// pauses, faults (a band from applied to undone, and a labelled bar), continuous-hypothesis and
// safeguard checks as ticks, rollbacks, and the drill's alert / notification / resolution
// markers. Layout maths in layout.h; every journal string escaped.
#pragma once

#include <cstddef>
#include <string>

#include "report/model.h"

namespace chaosrun::report {

struct TimelineOptions {
  double width = 1100;       // viewBox width
  double label_width = 150;  // the left column of row names
  size_t max_lanes = 12;     // per row; items beyond are listed in the tables only
  size_t max_labels = 200;   // a row with more items than this draws bars without labels
};

// Appends <svg class="timeline">…</svg>, or a <p> saying the journal has no times.
void AppendTimeline(std::string& out, const Report& r, const TimelineOptions& options = {});

}  // namespace chaosrun::report
