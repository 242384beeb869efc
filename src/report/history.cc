#include "report/history.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "report/html.h"
#include "report/page_frame.h"
#include "report/time_text.h"

namespace chaosrun::report {

namespace {

// Percent-encodes what would change a relative URL's meaning.
std::string HrefPath(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (c <= 0x20 || c == '%' || c == '#' || c == '?' || c == '"' || c == '\'' || c == '<' ||
        c == '>' || c == '\\' || c >= 0x7F) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void HistoryCell(std::string& out, std::string_view text, std::string_view cls = "") {
  out += cls.empty() ? "<td>" : "<td class=\"" + std::string(cls) + "\">";
  AppendEscaped(out, text);
  out += "</td>";
}

}  // namespace

HistoryEntry MakeHistoryEntry(const Report& r) {
  HistoryEntry e;
  e.journal = r.file;
  e.title = r.title;
  e.start = r.start;
  e.status = r.status;
  e.deviated = r.deviated.value_or(false);
  e.passed = r.status == "completed" && !e.deviated;
  e.duration = r.duration;
  e.faults = r.faults.size();
  e.time_to_detect = r.drill.time_to_detect;
  e.time_to_notify = r.drill.time_to_notify;
  return e;
}

void SortByStart(std::vector<HistoryEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const HistoryEntry& a, const HistoryEntry& b) {
                     bool ka = std::isfinite(a.start), kb = std::isfinite(b.start);
                     if (ka != kb) return ka;
                     return ka && a.start < b.start;
                   });
}

std::string DefaultPagePath(const std::string& journal) {
  std::filesystem::path p(journal);
  p.replace_extension(".html");
  return p.string();
}

void LinkRunPages(std::vector<HistoryEntry>& entries, const std::string& history_path) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::absolute(history_path, ec).parent_path();
  for (HistoryEntry& e : entries) {
    if (e.passed) continue;
    std::filesystem::path page = std::filesystem::absolute(DefaultPagePath(e.journal), ec);
    if (ec || !std::filesystem::is_regular_file(page, ec)) continue;
    std::filesystem::path rel = page.lexically_relative(base);
    e.page_href = HrefPath(rel.empty() ? page.string() : rel.string());
  }
}

std::string RenderHistoryPage(const std::vector<HistoryEntry>& entries) {
  std::string title = entries.empty() || entries.front().title.empty()
                          ? std::string("chaosrun history")
                          : entries.front().title;
  std::string out;
  AppendPageStart(out, title + " — history", "history");
  size_t passed = 0;
  for (const HistoryEntry& e : entries) passed += e.passed ? 1 : 0;
  out += "<header id=\"summary\">\n<h1 id=\"title\">";
  AppendEscaped(out, title);
  out += "</h1>\n<p id=\"history-summary\"><span class=\"badge " +
         std::string(passed == entries.size() ? "ok" : "bad") + "\">" + std::to_string(passed) +
         " of " + std::to_string(entries.size()) + " runs passed</span></p>\n</header>\n";
  out += "<section id=\"trend\">\n<h2>Trend</h2>\n";
  AppendTrend(out, entries);
  out +=
      "</section>\n<section id=\"runs\">\n<h2>Runs</h2>\n<table><thead><tr><th>#</th>"
      "<th>date</th><th>outcome</th><th>duration</th><th>faults</th><th>time to detect</th>"
      "<th>time to notify</th><th>journal</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const HistoryEntry& e = entries[i];
    out += "<tr class=\"run " + std::string(e.passed ? "passed" : "not-passed") + "\">";
    HistoryCell(out, std::to_string(i + 1), "num");
    HistoryCell(out, FormatUtc(e.start));
    std::string outcome =
        (e.status.empty() ? std::string("unknown") : e.status) + (e.deviated ? ", deviated" : "");
    out += "<td class=\"outcome " + std::string(e.passed ? "ok" : "bad") + "\">";
    if (!e.page_href.empty()) {
      out += "<a class=\"run-page\" href=\"";
      AppendEscaped(out, e.page_href);
      out += "\">";
      AppendEscaped(out, outcome);
      out += "</a>";
    } else {
      AppendEscaped(out, outcome);
    }
    out += "</td>";
    HistoryCell(out, FormatDuration(e.duration), "num");
    HistoryCell(out, std::to_string(e.faults), "num");
    HistoryCell(out, FormatDuration(e.time_to_detect), "num");
    HistoryCell(out, FormatDuration(e.time_to_notify), "num");
    HistoryCell(out, e.journal);
    out += "</tr>\n";
  }
  out += "</tbody></table>\n</section>\n";
  AppendPageEnd(out);
  return out;
}

}  // namespace chaosrun::report
