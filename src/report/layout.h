// The timeline's layout maths: pure functions, unit-tested without any HTML.
//   - an Axis maps times (seconds) onto x coordinates, linearly and clamped to the plot;
//   - AssignLanes puts intervals on the fewest lanes such that two intervals of one lane never
//     overlap (nor come closer than a gap), in O(n log n);
//   - NiceTicks picks round tick steps (1, 2, 5 × 10^k seconds) for an axis.
#pragma once

#include <cstddef>
#include <vector>

namespace chaosrun::report {

struct Axis {
  double t0 = 0, t1 = 1;  // the times at the ends of the plot (t1 > t0)
  double x0 = 0, x1 = 1;  // the plot's left and right x

  // The x of time t, clamped to [x0, x1]; an unknown (NaN) time maps to x0.
  double X(double t) const;
  // The width of a duration on this axis (>= 0).
  double Width(double seconds) const;
};

// An axis over [t0, t1] drawn on [x0, x1]. An empty or reversed span (or NaN ends) becomes one
// second wide, so that X() always divides by a positive number.
Axis MakeAxis(double t0, double t1, double x0, double x1);

struct Interval {
  double start = 0, end = 0;  // end < start is treated as end == start
};

// One lane index per interval (same order as the input). Intervals on one lane are at least
// `gap` apart: for a < b on one lane, intervals[a].end + gap <= intervals[b].start (after sorting
// by start). Greedy over start order, reusing the lane that became free first: the number of
// lanes is the largest number of intervals (widened by gap) that overlap at one time.
std::vector<size_t> AssignLanes(const std::vector<Interval>& intervals, double gap);

// The number of lanes AssignLanes used (1 + the largest index; 0 for no intervals).
size_t LaneCount(const std::vector<size_t>& lanes);

// Tick offsets (seconds from the start, 0 included) for a span, at most max_ticks + 1 of them,
// at a step of 1, 2 or 5 × 10^k seconds.
std::vector<double> NiceTicks(double span_seconds, size_t max_ticks);

// The extent [lo, hi] of the finite values among `times` (lo > hi when none is finite).
struct Extent {
  double lo, hi;
  bool empty() const { return !(lo <= hi); }
};
Extent FiniteExtent(const std::vector<double>& times);

}  // namespace chaosrun::report
