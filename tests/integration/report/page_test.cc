// `chaosrun report` end to end: the structure of the generated pages (parsed, not compared byte
// for byte), escaping of hostile journals, the reference's journals, errors, and the history.
#include <gtest/gtest.h>

#include <filesystem>

#include "report_tools.h"
#include "support/temp_dir.h"

namespace chaosrun::reporttest {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Texts(const std::vector<const Element*>& els) {
  std::vector<std::string> out;
  for (const Element* e : els) out.push_back(e->text);
  return out;
}

// Renders `journal` into dir/page.html and parses it strictly.
Outline Render(const testing::TempDir& dir, const fs::path& journal) {
  fs::path page = dir.path() / "page.html";
  ToolResult r = RunChaosrun({"report", journal.string(), "--output", page.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, page.string() + "\n");
  Outline o = ParsePage(page);
  EXPECT_EQ(o.error, "") << "the page is not well-formed XHTML";
  return o;
}

TEST(ReportPageTest, ChaosrunJournalHasSummaryTimelineAndTables) {
  testing::TempDir dir;
  Outline o = Render(dir, ReportTestDir() / "chaosrun-journal.json");
  ASSERT_NE(o.ById("title"), nullptr);
  EXPECT_EQ(o.ById("title")->text, "Telemetry blackout is noticed");
  EXPECT_EQ(o.ById("fact-status")->text, "completed");
  EXPECT_EQ(o.ById("fact-deviated")->text, "no");
  EXPECT_EQ(o.ById("fact-exit")->text, "0: completed, steady state met");
  EXPECT_EQ(o.ById("fact-start")->text, "2025-03-05 01:00:00 UTC");
  EXPECT_EQ(o.ById("fact-duration")->text, "21.0 s");
  // Faults and how each was undone.
  auto faults = o.Find("tr", "fault");
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_NE(faults[0]->text.find("network.proxy_timeout"), std::string::npos);
  EXPECT_NE(faults[0]->text.find("by end of run (undo blackhole-telemetry)"), std::string::npos);
  // Drill timings.
  EXPECT_EQ(o.ById("drill-detect")->text, "8.50 s");
  EXPECT_EQ(o.ById("drill-notify")->text, "11.2 s");
  EXPECT_EQ(o.ById("drill-recover")->text, "3.00 s");
  // The timeline: one svg, its rows, bars, the fault band and its label, ticks and markers.
  ASSERT_EQ(o.Find("svg", "timeline").size(), 1u);
  for (const char* row : {"row-before", "row-method", "row-background", "row-pauses", "row-faults",
                          "row-during", "row-after", "row-rollbacks"}) {
    EXPECT_NE(o.ById(row), nullptr) << row;
  }
  EXPECT_EQ(o.Find("rect", "band").size(), 1u);
  EXPECT_EQ(Texts(o.Find("text", "fault-label")),
            (std::vector<std::string>{"network.proxy_timeout → proxy:telemetry"}));
  EXPECT_EQ(o.Find("line", "tick").size(), 2u);
  EXPECT_EQ(o.Find("line", "not-met").size(), 1u);
  EXPECT_EQ(o.Find("rect", "pause").size(), 2u);
  EXPECT_EQ(o.Find("rect", "failed").size(), 0u);
  EXPECT_GE(o.Find("rect", "succeeded").size(), 6u);
  for (const char* m :
       {"marker-alert-fired", "marker-notification-received", "marker-alert-resolved"}) {
    EXPECT_NE(o.ById(m), nullptr) << m;
  }
  // Tables: probes with tolerance and verdict; every activity; no errors; extra data.
  auto probes = o.Find("tr", "probe");
  ASSERT_EQ(probes.size(), 5u);  // before, 2 during, after, and the method's probe
  EXPECT_NE(probes[0]->text.find("200"), std::string::npos);
  EXPECT_NE(probes[0]->text.find("met"), std::string::npos);
  EXPECT_EQ(Texts(o.Find("td", "activity-name")),
            (std::vector<std::string>{"blackhole-telemetry", "wait-for-alert", "scrape-load",
                                      "undo blackhole-telemetry"}));
  EXPECT_EQ(o.Find("tr", "error").size(), 0u);
  auto extras = o.Find("details", "extra");
  ASSERT_EQ(extras.size(), 2u);
  EXPECT_NE(extras[1]->text.find("an extension wrote this"), std::string::npos);
}

TEST(ReportPageTest, IsSelfContainedWithAPolicyThatForbidsRequests) {
  testing::TempDir dir;
  Outline o = Render(dir, ReportTestDir() / "chaosrun-journal.json");
  bool csp = false;
  for (const Element* m : o.Find("meta")) {
    if (m->Attr("http-equiv") == "Content-Security-Policy") {
      csp = m->Attr("content").starts_with("default-src 'none'; style-src 'unsafe-inline';");
    }
  }
  EXPECT_TRUE(csp);
  EXPECT_TRUE(o.Find("script").empty());
  EXPECT_TRUE(o.Find("link").empty());
  EXPECT_TRUE(o.Find("img").empty());
  for (const Element& e : o.elements) {
    for (const char* a : {"src", "href", "xlink:href", "srcset", "action"}) {
      EXPECT_EQ(e.Attr(a), "") << e.tag << " has " << a;
    }
  }
  std::string text = ReadText(dir.path() / "page.html");
  EXPECT_EQ(text.find("url("), std::string::npos);
  EXPECT_EQ(text.find("@import"), std::string::npos);
  EXPECT_NE(text.find("@page { size: A4"), std::string::npos);
}

TEST(ReportPageTest, EveryJournalStringIsEscaped) {
  testing::TempDir dir;
  const std::string evil = "<script>alert(\"x\" & 'y')</script>";
  Json j = Json::parse(ReadText(ReportTestDir() / "chaosrun-journal.json"));
  j["experiment"]["title"] = evil;
  j["run"][0]["activity"]["name"] = evil;
  j["run"][0]["output"] = {{"fault", "f-77"}, {"stdout", evil}};
  j["run"][1]["status"] = "failed";
  j["run"][1]["exception"] = {"chaoslib.exceptions.ActivityFailed: " + evil + "\n"};
  j["faults"][0]["targets"] = {evil};
  j["faults"][0]["id"] = "f\"77";
  j["run"][0]["output"]["fault"] = "f\"77";
  j["rollbacks"][0]["fault"] = "f\"77";
  j["<img src=x onerror=alert(1)>"] = evil;
  fs::path journal = dir.path() / "evil.json";
  WriteText(journal, j.dump());
  Outline o = Render(dir, journal);
  ASSERT_EQ(o.error, "");
  EXPECT_TRUE(o.Find("script").empty());
  EXPECT_TRUE(o.Find("img").empty());
  EXPECT_EQ(o.ById("title")->text, evil);
  EXPECT_EQ(o.Find("td", "activity-name")[0]->text, evil);
  EXPECT_EQ(o.Find("td", "reason")[0]->text, "chaoslib.exceptions.ActivityFailed: " + evil);
  EXPECT_EQ(Texts(o.Find("text", "fault-label")),
            (std::vector<std::string>{"network.proxy_timeout → " + evil}));
  EXPECT_EQ(o.Find("rect", "band")[0]->Attr("data-fault"), "f\"77");
  std::string text = ReadText(dir.path() / "page.html");
  EXPECT_EQ(text.find("<script"), std::string::npos);
  EXPECT_EQ(text.find("<img"), std::string::npos);
  EXPECT_NE(text.find("&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"), std::string::npos);
}

TEST(ReportPageTest, AReferenceJournalRenders) {
  testing::TempDir dir;
  Outline o = Render(dir, ReportTestDir() / "reference-journal.json");
  EXPECT_EQ(o.ById("title")->text, "Reference journal: a small Chaos Toolkit run");
  EXPECT_EQ(o.ById("fact-engine")->text, "1.42.1 (Chaos Toolkit)");
  EXPECT_EQ(o.ById("fact-exit")->text, "1: failed");
  EXPECT_EQ(Texts(o.Find("td", "activity-name")),
            (std::vector<std::string>{"ref-action", "ref-background", "ref-failing-probe",
                                      "ref-rollback"}));
  EXPECT_NE(o.ById("row-background"), nullptr);
  EXPECT_EQ(o.Find("rect", "failed").size(), 1u);
  auto errors = o.Find("td", "reason");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]->text,
            "chaoslib.exceptions.ActivityFailed: process activity took too long to complete");
  EXPECT_NE(o.ById("faults")->text.find("No driver fault"), std::string::npos);
}

TEST(ReportPageTest, TheSharedReferenceSampleRenders) {
  fs::path sample = SharedDir() / "ctk-journal-sample.json";
  if (!fs::exists(sample)) GTEST_SKIP() << "no shared/ folder beside the checkout: " << sample;
  testing::TempDir dir;
  Outline o = Render(dir, sample);
  EXPECT_EQ(o.ById("title")->text, "Process provider baseline: hello");
  EXPECT_GE(o.Find("td", "activity-name").size(), 5u);
  EXPECT_EQ(o.Find("svg", "timeline").size(), 1u);
}

TEST(ReportPageTest, TheDefaultPageIsNextToTheJournal) {
  testing::TempDir dir;
  fs::copy_file(ReportTestDir() / "reference-journal.json", dir.path() / "nightly.json");
  ToolResult r = RunChaosrun({"report", (dir.path() / "nightly.json").string()}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "nightly.html"));
}

TEST(ReportPageTest, MalformedJournalsAreClearErrors) {
  testing::TempDir dir;
  std::string bad_json = dir.Write("broken.json", "{\"run\": [\n  {\"start\": }\n]}");
  ToolResult r = RunChaosrun({"report", bad_json}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(bad_json + ": not JSON at line 2, column"), std::string::npos) << r.err;
  std::string bad_time = dir.Write("time.json", R"({"run": [{}, {"start": "noon"}]})");
  r = RunChaosrun({"report", bad_time}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: " + bad_time + ": /run/1/start: not an ISO-8601 time: 'noon'\n");
  EXPECT_FALSE(fs::exists(dir.path() / "time.html"));
  r = RunChaosrun({"report", (dir.path() / "missing.json").string()}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.json: cannot open the journal"), std::string::npos);
  r = RunChaosrun({"report"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  r = RunChaosrun({"report", bad_time, bad_json}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs --output"), std::string::npos);
  r = RunChaosrun({"run", "--output", "x", bad_time}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
}

TEST(ReportHistoryTest, OneRowPerRunInTimeOrderWithTrendAndLinks) {
  testing::TempDir dir;
  Json base = Json::parse(ReadText(ReportTestDir() / "chaosrun-journal.json"));
  // Three nights, given out of order; the second deviated and has its own page beside it.
  std::vector<std::string> paths;
  const char* days[] = {"2025-03-07", "2025-03-05", "2025-03-06"};
  const double ttd[] = {12.0, 8.5, 10.0};
  for (int i = 0; i < 3; ++i) {
    Json j = base;
    j["start"] = std::string(days[i]) + "T01:00:00+00:00";
    j["drill"]["time_to_detect"] = ttd[i];
    if (i == 2) j["deviated"] = true;
    fs::path p = dir.path() / ("night-" + std::to_string(i) + ".json");
    WriteText(p, j.dump());
    paths.push_back(p.string());
  }
  ToolResult page = RunChaosrun({"report", paths[2]}, dir.path());
  ASSERT_EQ(page.exit_code, 0) << page.err;
  fs::path history = dir.path() / "history.html";
  ToolResult r =
      RunChaosrun({"report", paths[0], paths[1], paths[2], "-o", history.string()}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Outline o = ParsePage(history);
  ASSERT_EQ(o.error, "");
  auto rows = o.Find("tr", "run");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[0]->text.find("2025-03-05"), std::string::npos);
  EXPECT_NE(rows[1]->text.find("2025-03-06"), std::string::npos);
  EXPECT_NE(rows[2]->text.find("2025-03-07"), std::string::npos);
  EXPECT_TRUE(rows[1]->HasClass("not-passed"));
  EXPECT_NE(rows[0]->text.find("8.50 s"), std::string::npos);  // time to detect
  EXPECT_NE(rows[0]->text.find("11.2 s"), std::string::npos);  // time to notify
  EXPECT_NE(rows[0]->text.find("21.0 s"), std::string::npos);  // duration
  auto links = o.Find("a", "run-page");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0]->Attr("href"), "night-2.html");
  EXPECT_EQ(o.ById("history-summary")->text, "2 of 3 runs passed");
  ASSERT_EQ(o.Find("svg", "trend").size(), 1u);
  ASSERT_EQ(o.Find("polyline", "trend-ttd").size(), 1u);
  ASSERT_EQ(o.Find("polyline", "trend-duration").size(), 1u);
  EXPECT_EQ(o.Find("circle", "point").size(), 6u);
  EXPECT_EQ(o.Find("circle", "bad").size(), 2u);
  // The time-to-detect line rises across the nights (8.5, 10, 12): y falls.
  std::string pts = o.Find("polyline", "trend-ttd")[0]->Attr("points");
  std::vector<double> ys;
  for (size_t at = pts.find(','); at != std::string::npos; at = pts.find(',', at + 1)) {
    ys.push_back(std::stod(pts.substr(at + 1)));
  }
  ASSERT_EQ(ys.size(), 3u);
  EXPECT_GT(ys[0], ys[1]);
  EXPECT_GT(ys[1], ys[2]);
}

}  // namespace
}  // namespace chaosrun::reporttest
