#include "report/layout.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>
#include <utility>

namespace chaosrun::report {

double Axis::X(double t) const {
  if (std::isnan(t)) return x0;
  double x = x0 + (t - t0) * (x1 - x0) / (t1 - t0);
  return std::clamp(x, std::min(x0, x1), std::max(x0, x1));
}

double Axis::Width(double seconds) const {
  if (!std::isfinite(seconds) || seconds <= 0) return 0;
  return seconds * (x1 - x0) / (t1 - t0);
}

Axis MakeAxis(double t0, double t1, double x0, double x1) {
  Axis a;
  a.x0 = x0;
  a.x1 = x1;
  if (!std::isfinite(t0)) t0 = std::isfinite(t1) ? t1 - 1 : 0;
  if (!std::isfinite(t1) || t1 <= t0) t1 = t0 + 1;
  a.t0 = t0;
  a.t1 = t1;
  return a;
}

std::vector<size_t> AssignLanes(const std::vector<Interval>& intervals, double gap) {
  const size_t n = intervals.size();
  std::vector<size_t> lanes(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto start = [&](size_t i) { return intervals[i].start; };
  auto end = [&](size_t i) { return std::max(intervals[i].start, intervals[i].end); };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return start(a) < start(b); });
  // (time the lane becomes free, lane) — smallest free time first, then lowest lane.
  using Free = std::pair<double, size_t>;
  std::priority_queue<Free, std::vector<Free>, std::greater<Free>> busy;
  // Lanes already free, lowest first, so that a quiet timeline stays on lane 0.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> idle;
  size_t next_lane = 0;
  for (size_t i : order) {
    while (!busy.empty() && busy.top().first <= start(i)) {
      idle.push(busy.top().second);
      busy.pop();
    }
    size_t lane;
    if (!idle.empty()) {
      lane = idle.top();
      idle.pop();
    } else {
      lane = next_lane++;
    }
    lanes[i] = lane;
    busy.emplace(end(i) + gap, lane);
  }
  return lanes;
}

size_t LaneCount(const std::vector<size_t>& lanes) {
  size_t n = 0;
  for (size_t l : lanes) n = std::max(n, l + 1);
  return n;
}

std::vector<double> NiceTicks(double span, size_t max_ticks) {
  std::vector<double> ticks;
  if (!std::isfinite(span) || span <= 0 || max_ticks == 0) return {0.0};
  double raw = span / static_cast<double>(max_ticks);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag * 10;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (mag * m >= raw) {
      step = mag * m;
      break;
    }
  }
  for (size_t k = 0;; ++k) {
    double t = static_cast<double>(k) * step;
    if (t > span * (1 + 1e-9) || ticks.size() > max_ticks) break;
    ticks.push_back(t);
  }
  return ticks;
}

Extent FiniteExtent(const std::vector<double>& times) {
  Extent e{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  for (double t : times) {
    if (!std::isfinite(t)) continue;
    e.lo = std::min(e.lo, t);
    e.hi = std::max(e.hi, t);
  }
  return e;
}

}  // namespace chaosrun::report
