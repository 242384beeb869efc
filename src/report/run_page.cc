#include "report/run_page.h"

#include <cmath>

#include "report/html.h"
#include "report/page_frame.h"
#include "report/time_text.h"
#include "report/timeline_svg.h"

namespace chaosrun::report {

namespace {

constexpr size_t kPreviewChars = 120;

void Cell(std::string& out, std::string_view text, std::string_view cls = "") {
  out += cls.empty() ? "<td>" : "<td class=\"" + std::string(cls) + "\">";
  AppendEscaped(out, text);
  out += "</td>";
}

void Fact(std::string& out, std::string_view id, std::string_view name, std::string_view value) {
  out += "<dt>";
  AppendEscaped(out, name);
  out += "</dt><dd id=\"" + std::string(id) + "\">";
  AppendEscaped(out, value);
  out += "</dd>";
}

std::string Badge(const Report& r) {
  bool ok = r.status == "completed" && !r.deviated.value_or(false);
  std::string cls = r.status.empty() ? "unknown" : ok ? "ok" : "bad";
  return "<span class=\"badge " + cls + "\" id=\"status-badge\">" +
         Escape(r.status.empty() ? "unknown" : r.status) +
         (r.deviated.value_or(false) ? " · deviated" : "") + "</span>";
}

// Collapsed text: a one-line preview, the whole text one click away.
void Collapsed(std::string& out, const std::string& text) {
  if (text.empty()) {
    out += "<span class=\"muted\">—</span>";
    return;
  }
  // The preview: the text on one line (runs of blanks as one space), cut at kPreviewChars.
  bool cut = false;
  std::string_view head = TruncateUtf8(text, kPreviewChars * 4, &cut);
  std::string one_line;
  for (char c : head) {
    bool blank = c == '\n' || c == ' ' || c == '\t' || c == '\r';
    if (blank && (one_line.empty() || one_line.back() == ' ')) continue;
    one_line.push_back(blank ? ' ' : c);
  }
  bool shortened = false;
  std::string_view preview = TruncateUtf8(one_line, kPreviewChars, &shortened);
  cut = cut || shortened || text.find('\n') != std::string::npos;
  if (!cut) {
    out += "<code class=\"output\">";
    AppendEscaped(out, text);
    out += "</code>";
    return;
  }
  out += "<details class=\"output\"><summary><code>";
  AppendEscaped(out, preview);
  out += " …</code></summary><pre>";
  AppendEscaped(out, text);
  out += "</pre></details>";
}

double Origin(const Report& r) {
  if (std::isfinite(r.start)) return r.start;
  for (const ActivityRecord& a : r.run) {
    if (std::isfinite(a.start)) return a.start;
  }
  return kUnknown;
}

std::string Offset(double t, double origin) {
  if (!std::isfinite(t) || !std::isfinite(origin)) return "—";
  return "+" + FormatDuration(t - origin);
}

void Summary(std::string& out, const Report& r) {
  out += "<header id=\"summary\">\n<h1 id=\"title\">";
  AppendEscaped(out, r.title.empty() ? "(untitled experiment)" : r.title);
  out += "</h1>\n";
  if (!r.description.empty()) {
    out += "<p class=\"description\">";
    AppendEscaped(out, r.description);
    out += "</p>\n";
  }
  out += "<p>" + Badge(r) + "</p>\n<dl class=\"facts\">";
  Fact(out, "fact-status", "status", r.status.empty() ? "unknown" : r.status);
  Fact(out, "fact-deviated", "deviated", !r.deviated ? "unknown" : *r.deviated ? "yes" : "no");
  Fact(out, "fact-exit", "exit code", ExitMeaning(r));
  Fact(out, "fact-start", "start", std::isfinite(r.start) ? FormatUtc(r.start) : r.start_text);
  Fact(out, "fact-duration", "duration", FormatDuration(r.duration));
  Fact(out, "fact-engine", "written by", r.engine + (r.reference ? " (Chaos Toolkit)" : ""));
  Fact(out, "fact-node", "node", r.node);
  Fact(out, "fact-journal", "journal", r.file);
  if (!r.interruption.empty()) Fact(out, "fact-interruption", "interrupted by", r.interruption);
  out += "</dl>\n</header>\n";
}

void FaultsSection(std::string& out, const Report& r) {
  out += "<section id=\"faults\">\n<h2>Faults injected</h2>\n";
  if (r.faults.empty()) {
    out += "<p class=\"muted\">No driver fault is recorded in this journal.</p>\n</section>\n";
    return;
  }
  out +=
      "<table><thead><tr><th>fault</th><th>activity</th><th>driver.action</th>"
      "<th>targets</th><th>applied</th><th>undone</th><th>held for</th></tr></thead><tbody>\n";
  double origin = Origin(r);
  for (const Fault& f : r.faults) {
    out += "<tr class=\"fault\" data-fault=\"" + Escape(f.id) + "\">";
    Cell(out, f.id);
    Cell(out, f.activity);
    Cell(out, f.driver + "." + f.func);
    std::string targets;
    for (size_t i = 0; i < f.targets.size(); ++i) targets += (i ? ", " : "") + f.targets[i];
    Cell(out, targets);
    Cell(out, f.applied ? Offset(f.applied_at, origin) : "not applied");
    std::string undo = f.undone ? "by " + (f.undone_by.empty() ? "chaosrun" : f.undone_by) +
                                      (f.undo_activity.empty() ? "" : " (" + f.undo_activity + ")")
                       : f.undo_error.empty() ? "NOT undone"
                                              : "undo FAILED: " + f.undo_error;
    Cell(out, undo, f.undone ? "ok" : (f.applied ? "bad" : ""));
    Cell(out, FormatDuration(f.undone_at - f.applied_at), "num");
    out += "</tr>\n";
  }
  out += "</tbody></table>\n</section>\n";
}

void DrillSection(std::string& out, const Report& r) {
  if (!r.drill.present) return;
  out += "<section id=\"drill\">\n<h2>Drill</h2>\n<dl class=\"facts\">";
  Fact(out, "drill-detect", "time to detect", FormatDuration(r.drill.time_to_detect));
  Fact(out, "drill-notify", "time to notify", FormatDuration(r.drill.time_to_notify));
  Fact(out, "drill-recover", "time to recover", FormatDuration(r.drill.time_to_recover));
  Fact(out, "drill-fired", "alert fired", FormatUtc(r.drill.alert_fired_at));
  Fact(out, "drill-notified", "notification received", FormatUtc(r.drill.notification_received_at));
  Fact(out, "drill-resolved", "alert resolved", FormatUtc(r.drill.alert_resolved_at));
  out += "</dl>\n</section>\n";
}

void TimelineSection(std::string& out, const Report& r) {
  out += "<section id=\"timeline\">\n<h2>Timeline</h2>\n";
  AppendTimeline(out, r);
  out +=
      "<p class=\"legend\"><span><i style=\"background:#2e7d32\"></i>succeeded</span>"
      "<span><i style=\"background:#c62828\"></i>failed</span>"
      "<span><i style=\"background:#757575\"></i>no status</span>"
      "<span><i style=\"background:#bdbdbd\"></i>pause</span>"
      "<span><i style=\"background:#ef6c00\"></i>fault, applied → undone</span>"
      "<span><i style=\"background:#1565c0\"></i>alert markers</span></p>\n</section>\n";
}

void ProbeRow(std::string& out, const ActivityRecord& p, const std::string& phase) {
  out += "<tr class=\"probe\" data-pointer=\"" + Escape(p.pointer) + "\">";
  Cell(out, phase);
  Cell(out, p.name);
  Cell(out, p.tolerance.empty() ? "—" : p.tolerance);
  out += "<td>";
  Collapsed(out, p.has_output ? p.output : p.error);
  out += "</td>";
  if (!p.tolerance_met) {
    Cell(out, p.status.empty() ? "—" : p.status, "muted");
  } else {
    Cell(out,
         *p.tolerance_met
             ? "met"
             : "NOT met" + (p.tolerance_reason.empty() ? std::string() : ": " + p.tolerance_reason),
         *p.tolerance_met ? "ok" : "bad");
  }
  out += "</tr>\n";
}

void ProbesSection(std::string& out, const Report& r) {
  out +=
      "<section id=\"probes\">\n<h2>Probes</h2>\n<table><thead><tr><th>when</th><th>probe</th>"
      "<th>tolerance</th><th>what it saw</th><th>verdict</th></tr></thead><tbody>\n";
  for (const HypothesisCheck& c : r.checks) {
    for (const ActivityRecord& p : c.probes) ProbeRow(out, p, c.phase);
  }
  for (const ActivityRecord& a : r.run) {
    if (a.type == "probe") ProbeRow(out, a, "method");
  }
  out += "</tbody></table>\n</section>\n";
}

void ActivityRows(std::string& out, const std::vector<ActivityRecord>& list,
                  const std::string& phase, double origin) {
  for (const ActivityRecord& a : list) {
    out += "<tr class=\"activity\" data-pointer=\"" + Escape(a.pointer) + "\">";
    Cell(out, phase + (a.background ? " (background)" : ""));
    out += "<td class=\"activity-name\">";
    AppendEscaped(out, a.name);
    out += "</td>";
    Cell(out, a.type);
    Cell(out, a.provider);
    Cell(out, a.status.empty() ? "no status" : a.status,
         a.status == "succeeded" ? "ok"
         : a.status == "failed"  ? "bad"
                                 : "muted");
    Cell(out, Offset(a.start, origin), "num");
    Cell(out, FormatDuration(a.end - a.start), "num");
    out += "<td>";
    Collapsed(out, a.output);
    out += "</td></tr>\n";
  }
}

void ActivitiesSection(std::string& out, const Report& r) {
  out +=
      "<section id=\"activities\">\n<h2>Activities</h2>\n<table><thead><tr><th>phase</th>"
      "<th>name</th><th>type</th><th>provider</th><th>status</th><th>start</th>"
      "<th>took</th><th>output</th></tr></thead><tbody>\n";
  double origin = Origin(r);
  ActivityRows(out, r.run, "method", origin);
  ActivityRows(out, r.rollbacks, "rollback", origin);
  out += "</tbody></table>\n</section>\n";
}

void ErrorRow(std::string& out, const ActivityRecord& a, const std::string& where) {
  if (a.error.empty()) return;
  out += "<tr class=\"error\" data-pointer=\"" + Escape(a.pointer) + "\">";
  Cell(out, where);
  Cell(out, a.name);
  out += "<td class=\"reason\">";
  AppendEscaped(out, a.error);
  out += "</td><td>";
  Collapsed(out, a.traceback);
  out += "</td></tr>\n";
}

void ErrorsSection(std::string& out, const Report& r) {
  out +=
      "<section id=\"errors\">\n<h2>Errors</h2>\n<table><thead><tr><th>where</th>"
      "<th>activity</th><th>reason</th><th>details</th></tr></thead><tbody>\n";
  for (const HypothesisCheck& c : r.checks) {
    for (const ActivityRecord& p : c.probes) ErrorRow(out, p, c.phase);
  }
  for (const ActivityRecord& a : r.run) ErrorRow(out, a, "method");
  for (const ActivityRecord& a : r.rollbacks) ErrorRow(out, a, "rollback");
  for (const Fault& f : r.faults) {
    if (f.undo_error.empty()) continue;
    out += "<tr class=\"error\">";
    Cell(out, "undo of fault " + f.id);
    Cell(out, f.activity);
    Cell(out, f.undo_error, "reason");
    Cell(out, "");
    out += "</tr>\n";
  }
  out += "</tbody></table>\n</section>\n";
}

void ExtrasSection(std::string& out, const Report& r) {
  if (r.extras.empty()) return;
  out += "<section id=\"other-data\">\n<h2>Everything else in the journal</h2>\n";
  for (const Extra& e : r.extras) {
    out += "<details class=\"extra\"><summary><code>";
    AppendEscaped(out, e.pointer);
    out += "</code></summary><pre>";
    AppendEscaped(out, e.json);
    out += "</pre></details>\n";
  }
  out += "</section>\n";
}

}  // namespace

std::string RenderRunPage(const Report& r) {
  // Room for the whole page at once (each output appears twice: preview and full text), so that
  // a large page is never copied while it grows.
  size_t estimate = 16384;
  for (const auto* list : {&r.run, &r.rollbacks}) {
    for (const ActivityRecord& a : *list) {
      estimate += 1200 + 2 * (a.output.size() + a.traceback.size() + a.name.size());
    }
  }
  for (const Extra& e : r.extras) estimate += e.json.size() + 200;
  std::string out;
  out.reserve(estimate);
  AppendPageStart(out, (r.title.empty() ? std::string("chaosrun run") : r.title) + " — report",
                  "run");
  Summary(out, r);
  FaultsSection(out, r);
  DrillSection(out, r);
  TimelineSection(out, r);
  ProbesSection(out, r);
  ActivitiesSection(out, r);
  ErrorsSection(out, r);
  ExtrasSection(out, r);
  AppendPageEnd(out);
  return out;
}

}  // namespace chaosrun::report
