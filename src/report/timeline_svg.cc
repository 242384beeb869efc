#include "report/timeline_svg.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "report/html.h"
#include "report/layout.h"
#include "report/time_text.h"

namespace chaosrun::report {

namespace {

constexpr double kTop = 34;         // room for the marker labels
constexpr double kLaneHeight = 26;  // a label line over a bar
constexpr double kBarHeight = 11;
constexpr double kRowGap = 6;
constexpr double kAxisHeight = 26;
constexpr double kCharWidth = 6.2;  // an estimate of one character at 11 px

std::string OutcomeClass(const std::string& status) {
  if (status == "succeeded") return "succeeded";
  if (status == "failed") return "failed";
  return "unknown";
}

// One drawable item of a row.
struct Item {
  double start, end;  // epoch seconds (end >= start)
  std::string cls;    // "bar succeeded", "pause", "fault-bar", …
  std::string label;  // drawn over the bar when there is room
  std::string tip;    // <title> (hover) text
  std::string group_class;
  std::string data;  // extra attributes, already escaped
};

struct Row {
  std::string name;
  std::string id;
  std::vector<Item> items;
  bool ticks = false;  // draw items as ticks (continuous checks), not bars
};

class Painter {
 public:
  Painter(std::string& out, const Axis& axis, const TimelineOptions& o)
      : out_(out), axis_(axis), o_(o) {}

  double RowHeight(const Row& row, std::vector<size_t>& lanes, size_t& lane_count) const {
    std::vector<Interval> iv;
    iv.reserve(row.items.size());
    for (const Item& it : row.items) iv.push_back({it.start, it.end});
    lanes = AssignLanes(iv, 0);
    lane_count = std::min(LaneCount(lanes), o_.max_lanes);
    return std::max<size_t>(lane_count, 1) * kLaneHeight;
  }

  void Paint(const Row& row, double y) {
    std::vector<size_t> lanes;
    size_t lane_count = 0;
    double h = RowHeight(row, lanes, lane_count);
    out_ += "<g class=\"row\" id=\"row-" + row.id + "\">";
    out_ += "<text class=\"lane-label\" x=\"6\" y=\"" + Num(y + h / 2 + 4) + "\">";
    AppendEscaped(out_, row.name);
    out_ += "</text><line class=\"grid\" x1=\"0\" x2=\"" + Num(o_.width) + "\" y1=\"" +
            Num(y + h + kRowGap / 2) + "\" y2=\"" + Num(y + h + kRowGap / 2) + "\"/>";
    bool labels = row.items.size() <= o_.max_labels;
    std::vector<double> label_end(lane_count, -1e9);
    size_t hidden = 0;
    for (size_t i = 0; i < row.items.size(); ++i) {
      if (lanes[i] >= lane_count) {
        ++hidden;
        continue;
      }
      const Item& it = row.items[i];
      double ly = y + static_cast<double>(lanes[i]) * kLaneHeight;
      double x = axis_.X(it.start);
      double w = std::max(axis_.X(it.end) - x, row.ticks ? 0.0 : 2.0);
      out_ += "<g class=\"" + it.group_class + "\"" + it.data + "><title>";
      AppendEscaped(out_, it.tip);
      out_ += "</title>";
      if (row.ticks) {
        out_ += "<line class=\"" + it.cls + "\" stroke-width=\"2\" x1=\"" + Num(x) + "\" x2=\"" +
                Num(x) + "\" y1=\"" + Num(ly + 6) + "\" y2=\"" + Num(ly + kLaneHeight - 2) + "\"/>";
      } else {
        out_ += "<rect class=\"" + it.cls + "\" x=\"" + Num(x) + "\" y=\"" +
                Num(ly + kLaneHeight - kBarHeight - 2) + "\" width=\"" + Num(w) + "\" height=\"" +
                Num(kBarHeight) + "\" rx=\"2\"/>";
        double lw = kCharWidth * static_cast<double>(it.label.size());
        double lx = std::max(std::min(x, o_.width - 4 - lw), label_end[lanes[i]] + 6);
        if (labels && !it.label.empty() && lx <= x + w + 40 && lx + lw <= o_.width) {
          out_ +=
              "<text class=\"" +
              (it.group_class == "fault" ? std::string("fault-label") : std::string("bar-label")) +
              "\" x=\"" + Num(lx) + "\" y=\"" + Num(ly + 11) + "\">";
          AppendEscaped(out_, it.label);
          out_ += "</text>";
          label_end[lanes[i]] = lx + lw;
        }
      }
      out_ += "</g>";
    }
    if (hidden > 0) {
      out_ += "<text class=\"lane-label\" x=\"6\" y=\"" + Num(y + h - 2) + "\">+" +
              std::to_string(hidden) + " more (see the tables)</text>";
    }
    out_ += "</g>\n";
  }

 private:
  std::string& out_;
  const Axis& axis_;
  const TimelineOptions& o_;
};

Item ActivityItem(const ActivityRecord& a, double fallback_end) {
  double end = std::isnan(a.end) ? fallback_end : a.end;
  std::string status = a.status.empty() ? "no status (interrupted)" : a.status;
  Item it{a.start,
          std::max(a.start, end),
          "bar " + OutcomeClass(a.status),
          a.name,
          a.name + " — " + status + ", " + FormatDuration(end - a.start) +
              (a.error.empty() ? "" : " — " + a.error),
          "activity",
          " data-pointer=\"" + Escape(a.pointer) + "\""};
  return it;
}

void AddRecords(Row& row, const std::vector<ActivityRecord>& records, double fallback_end,
                int background) {  // -1 any, 0 foreground only, 1 background only
  for (const ActivityRecord& a : records) {
    if (std::isnan(a.start)) continue;
    if (background >= 0 && a.background != (background == 1)) continue;
    row.items.push_back(ActivityItem(a, fallback_end));
  }
}

std::string FaultLabel(const Fault& f) {
  std::string targets;
  for (size_t i = 0; i < f.targets.size(); ++i) targets += (i ? ", " : "") + f.targets[i];
  return f.driver + "." + f.func + (targets.empty() ? "" : " → " + targets);
}

std::vector<Row> BuildRows(const Report& r, double t_end) {
  std::vector<Row> rows;
  Row before{"steady state before", "before", {}};
  Row after{"steady state after", "after", {}};
  Row during{"continuous checks", "during", {}, true};
  for (const HypothesisCheck& c : r.checks) {
    if (c.phase == "before" || c.phase == "after") {
      AddRecords(c.phase == "before" ? before : after, c.probes, t_end, -1);
    } else if (!std::isnan(c.start)) {
      std::string met = !c.met ? "unknown" : *c.met ? "met" : "not-met";
      std::string what = c.phase == "safeguard" ? "safeguard" : "continuous hypothesis";
      during.items.push_back({c.start, c.start, "tick " + met, "",
                              what + ": " + (c.met ? (*c.met ? "met" : "NOT met") : "unknown") +
                                  " at " + FormatUtc(c.start),
                              "check", " data-pointer=\"" + Escape(c.pointer) + "\""});
    }
  }
  Row method{"method", "method", {}};
  AddRecords(method, r.run, t_end, 0);
  Row background{"background", "background", {}};
  AddRecords(background, r.run, t_end, 1);
  Row pauses{"pauses", "pauses", {}};
  for (const ActivityRecord& a : r.run) {
    if (std::isnan(a.start)) continue;
    if (a.pause_before > 0) {
      pauses.items.push_back({a.start - a.pause_before, a.start, "pause", "pause",
                              "pause before " + a.name + ": " + FormatDuration(a.pause_before),
                              "pause", ""});
    }
    if (a.pause_after > 0 && !std::isnan(a.end)) {
      pauses.items.push_back({a.end, a.end + a.pause_after, "pause", "pause",
                              "pause after " + a.name + ": " + FormatDuration(a.pause_after),
                              "pause", ""});
    }
  }
  Row faults{"faults", "faults", {}};
  for (const Fault& f : r.faults) {
    if (std::isnan(f.applied_at)) continue;
    bool open = std::isnan(f.undone_at);
    double end = open ? t_end : f.undone_at;
    std::string undo =
        open
            ? (f.undo_error.empty() ? "not undone in this journal" : "undo failed: " + f.undo_error)
            : "undone (" + f.undone_by + ") after " + FormatDuration(end - f.applied_at);
    faults.items.push_back({f.applied_at, std::max(end, f.applied_at),
                            std::string("fault-bar") + (open ? " not-undone" : ""), FaultLabel(f),
                            FaultLabel(f) + " (" + f.activity + "): " + undo, "fault",
                            " data-fault=\"" + Escape(f.id) + "\""});
  }
  Row rollbacks{"rollbacks", "rollbacks", {}};
  AddRecords(rollbacks, r.rollbacks, t_end, -1);
  for (Row* row : {&before, &method, &background, &pauses, &faults, &during, &after, &rollbacks}) {
    if (!row->items.empty() || row->id == "method") rows.push_back(std::move(*row));
  }
  return rows;
}

void CollectTimes(const Report& r, std::vector<double>& t) {
  t.push_back(r.start);
  t.push_back(r.end);
  for (const auto* list : {&r.run, &r.rollbacks}) {
    for (const ActivityRecord& a : *list) {
      t.push_back(a.start - a.pause_before);
      t.push_back(a.end + a.pause_after);
    }
  }
  for (const HypothesisCheck& c : r.checks) {
    t.push_back(c.start);
    t.push_back(c.end);
  }
  for (const Fault& f : r.faults) {
    t.push_back(f.applied_at);
    t.push_back(f.undone_at);
  }
  t.push_back(r.drill.alert_fired_at);
  t.push_back(r.drill.notification_received_at);
  t.push_back(r.drill.alert_resolved_at);
}

}  // namespace

void AppendTimeline(std::string& out, const Report& r, const TimelineOptions& o) {
  std::vector<double> times;
  CollectTimes(r, times);
  Extent ext = FiniteExtent(times);
  if (ext.empty()) {
    out += "<p class=\"muted\" id=\"no-timeline\">The journal records no times: no timeline.</p>\n";
    return;
  }
  Axis axis = MakeAxis(ext.lo, ext.hi, o.label_width, o.width - 16);
  std::vector<Row> rows = BuildRows(r, axis.t1);
  Painter painter(out, axis, o);
  double height = kTop;
  std::vector<double> row_y;
  for (const Row& row : rows) {
    std::vector<size_t> lanes;
    size_t n = 0;
    row_y.push_back(height);
    height += painter.RowHeight(row, lanes, n) + kRowGap;
  }
  double plot_bottom = height;
  height += kAxisHeight;
  out +=
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" id=\"timeline-svg\" "
      "viewBox=\"0 0 " +
      Num(o.width) + " " + Num(height) + "\" role=\"img\" aria-label=\"";
  out += "Timeline of the run, " + FormatDuration(axis.t1 - axis.t0) + "\">\n";
  // Fault bands behind everything.
  for (const Fault& f : r.faults) {
    if (std::isnan(f.applied_at)) continue;
    double x0 = axis.X(f.applied_at);
    double x1 = axis.X(std::isnan(f.undone_at) ? axis.t1 : f.undone_at);
    out += "<rect class=\"band\" data-fault=\"" + Escape(f.id) + "\" x=\"" + Num(x0) + "\" y=\"" +
           Num(kTop - 4) + "\" width=\"" + Num(std::max(x1 - x0, 2.0)) + "\" height=\"" +
           Num(plot_bottom - kTop + 4) + "\"/>\n";
  }
  // Axis and grid.
  for (double tick : NiceTicks(axis.t1 - axis.t0, 10)) {
    double x = axis.X(axis.t0 + tick);
    out += "<line class=\"grid\" x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" + Num(kTop) +
           "\" y2=\"" + Num(plot_bottom) + "\"/><text class=\"axis-label\" x=\"" + Num(x - 8) +
           "\" y=\"" + Num(plot_bottom + 16) + "\">+" + FormatDuration(tick) + "</text>\n";
  }
  out += "<line class=\"axis\" x1=\"" + Num(axis.x0) + "\" x2=\"" + Num(axis.x1) + "\" y1=\"" +
         Num(plot_bottom) + "\" y2=\"" + Num(plot_bottom) + "\"/>\n";
  for (size_t i = 0; i < rows.size(); ++i) painter.Paint(rows[i], row_y[i]);
  // Drill markers over everything.
  const std::pair<const char*, double> markers[] = {
      {"alert fired", r.drill.alert_fired_at},
      {"notification received", r.drill.notification_received_at},
      {"alert resolved", r.drill.alert_resolved_at}};
  int k = 0;
  for (const auto& [name, t] : markers) {
    ++k;
    if (std::isnan(t)) continue;
    double x = axis.X(t);
    out += "<g class=\"marker-group\" id=\"marker-" + Token(name) + "\"><title>" +
           std::string(name) + " at " + FormatUtc(t) + "</title><line class=\"marker\" x1=\"" +
           Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" + Num(kTop - 8) + "\" y2=\"" +
           Num(plot_bottom) + "\"/><text class=\"marker-label\" x=\"" +
           Num(std::min(x + 3, o.width - 130)) + "\" y=\"" + Num(k * 10.0 - 1) + "\">" + name +
           "</text></g>\n";
  }
  out += "</svg>\n";
}

}  // namespace chaosrun::report
