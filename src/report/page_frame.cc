#include "report/page_frame.h"

#include "common/version.h"
#include "report/html.h"

namespace chaosrun::report {

namespace {

// System fonts only (nothing is downloaded); sized for a screen and for A4 paper.
constexpr std::string_view kCss = R"css(
:root { --ok: #2e7d32; --bad: #c62828; --unknown: #757575; --fault: #ef6c00; --ink: #1d1d1f;
  --muted: #5f6368; --line: #dadce0; --paper: #ffffff; --band: #fff3e0; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 24px; margin: 0 0 6px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.description { color: var(--muted); margin: 0 0 12px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 10px; color: #fff; font-weight: 600; }
.badge.ok { background: var(--ok); color: #fff; } .badge.bad { background: var(--bad); color: #fff; }
.badge.unknown { background: var(--unknown); color: #fff; }
dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 10px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid var(--line); }
th { background: #f5f5f7; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
pre { white-space: pre-wrap; word-break: break-all; margin: 4px 0; background: #f8f9fa; padding: 6px; }
details > summary { cursor: pointer; color: var(--muted); }
.ok { color: var(--ok); } .bad { color: var(--bad); } .muted { color: var(--muted); }
svg.timeline, svg.trend { width: 100%; height: auto; display: block; border: 1px solid var(--line); }
svg text { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; font-size: 11px; fill: var(--ink); }
svg .lane-label { fill: var(--muted); }
svg .bar.succeeded { fill: var(--ok); } svg .bar.failed { fill: var(--bad); }
svg .bar.unknown { fill: var(--unknown); }
svg .pause { fill: #bdbdbd; } svg .band { fill: var(--band); }
svg .fault-bar { fill: var(--fault); } svg .fault-bar.not-undone { fill: var(--bad); }
svg .tick.met { stroke: var(--ok); } svg .tick.not-met { stroke: var(--bad); }
svg .tick.unknown { stroke: var(--unknown); }
svg .marker { stroke: #1565c0; stroke-dasharray: 4 3; } svg .marker-label { fill: #1565c0; }
svg .grid { stroke: #eeeeee; } svg .axis { stroke: #9e9e9e; }
svg .trend-ttd { stroke: var(--fault); fill: none; stroke-width: 2; }
svg .trend-duration { stroke: #1565c0; fill: none; stroke-width: 2; }
.legend span { margin-right: 14px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
footer { color: var(--muted); font-size: 12px; margin-top: 30px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { font-size: 11px; } main { max-width: none; padding: 0; }
  h2 { break-after: avoid; } tr, svg { break-inside: avoid; }
  details > summary { color: var(--ink); }
}
)css";

}  // namespace

void AppendPageStart(std::string& out, std::string_view title, std::string_view page_kind) {
  out += "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n";
  out += "<meta charset=\"utf-8\"/>\n<meta http-equiv=\"Content-Security-Policy\" content=\"";
  AppendEscaped(out, kContentSecurityPolicy);
  out += "\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<meta name=\"generator\" content=\"chaosrun report ";
  AppendEscaped(out, kVersion);
  out += "\"/>\n<meta name=\"chaosrun-report\" content=\"";
  AppendEscaped(out, page_kind);
  out += "\"/>\n<title>";
  AppendEscaped(out, title);
  out += "</title>\n<style>";
  out += kCss;
  out += "</style>\n</head>\n<body>\n<main>\n";
}

void AppendPageEnd(std::string& out) {
  out += "<footer>Made by <code>chaosrun report</code> ";
  AppendEscaped(out, kVersion);
  out += " from the journal alone: one self-contained page, no requests.</footer>\n";
  out += "</main>\n</body>\n</html>\n";
}

}  // namespace chaosrun::report
