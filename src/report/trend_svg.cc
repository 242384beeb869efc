// The history page's trend chart (declared in history.h).
#include <algorithm>
#include <cmath>

#include "report/history.h"
#include "report/html.h"
#include "report/layout.h"
#include "report/time_text.h"

namespace chaosrun::report {

namespace {

constexpr double kTrendWidth = 900;
constexpr double kPanelHeight = 90;
constexpr double kTrendLeft = 120;

// One panel: a polyline over the runs that have the value, a dot per run coloured by outcome.
void Panel(std::string& out, const std::vector<HistoryEntry>& entries, double y0, const char* name,
           const char* cls, double HistoryEntry::*field) {
  double max = 0;
  for (const HistoryEntry& e : entries) {
    if (std::isfinite(e.*field)) max = std::max(max, e.*field);
  }
  Axis xs = MakeAxis(0, static_cast<double>(std::max<size_t>(entries.size(), 2) - 1), kTrendLeft,
                     kTrendWidth - 20);
  Axis ys = MakeAxis(0, max > 0 ? max * 1.1 : 1, y0 + kPanelHeight - 12, y0 + 10);
  out += "<g class=\"panel\" id=\"trend-" + Token(name) +
         "\"><text class=\"lane-label\" x=\"6\" "
         "y=\"" +
         Num(y0 + kPanelHeight / 2) + "\">" + name +
         "</text><text class=\"axis-label\" "
         "x=\"6\" y=\"" +
         Num(y0 + kPanelHeight / 2 + 14) + "\">max " + FormatDuration(max) +
         "</text><line class=\"axis\" x1=\"" + Num(kTrendLeft) + "\" x2=\"" +
         Num(kTrendWidth - 20) + "\" y1=\"" + Num(ys.X(0)) + "\" y2=\"" + Num(ys.X(0)) + "\"/>";
  std::string points;
  size_t known = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    double v = entries[i].*field;
    if (!std::isfinite(v)) continue;
    ++known;
    points += Num(xs.X(static_cast<double>(i))) + "," + Num(ys.X(v)) + " ";
  }
  if (known == 0) {
    out += "<text class=\"muted\" x=\"" + Num(kTrendLeft + 10) + "\" y=\"" +
           Num(y0 + kPanelHeight / 2) + "\">not recorded in these journals</text></g>\n";
    return;
  }
  out += "<polyline class=\"" + std::string(cls) + "\" points=\"" + points + "\"/>";
  for (size_t i = 0; i < entries.size(); ++i) {
    double v = entries[i].*field;
    if (!std::isfinite(v)) continue;
    out += "<circle class=\"point " + std::string(entries[i].passed ? "ok" : "bad") + "\" cx=\"" +
           Num(xs.X(static_cast<double>(i))) + "\" cy=\"" + Num(ys.X(v)) + "\" r=\"3.5\" fill=\"" +
           (entries[i].passed ? "#2e7d32" : "#c62828") + "\"><title>run " + std::to_string(i + 1) +
           ": " + FormatDuration(v) + "</title></circle>";
  }
  out += "</g>\n";
}

}  // namespace

void AppendTrend(std::string& out, const std::vector<HistoryEntry>& entries) {
  double height = 2 * kPanelHeight + 10;
  out +=
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\" id=\"trend-svg\" viewBox=\"0 0 " +
      Num(kTrendWidth) + " " + Num(height) +
      "\" role=\"img\" aria-label=\"Time to detect and "
      "duration across runs\">\n";
  Panel(out, entries, 0, "time to detect", "trend-ttd", &HistoryEntry::time_to_detect);
  Panel(out, entries, kPanelHeight + 10, "duration", "trend-duration", &HistoryEntry::duration);
  out += "</svg>\n";
}

}  // namespace chaosrun::report
