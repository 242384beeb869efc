// Journal JSON -> report model: chaosrun's extra keys, tolerance of unknown shapes, and errors
// that name the file and the JSON pointer.
#include "report/model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "report/history.h"
#include "report/run_page.h"

namespace chaosrun::report {
namespace {

Json Record(const std::string& name, const std::string& start, const std::string& end,
            const std::string& status = "succeeded") {
  return Json{{"activity", {{"type", "action"}, {"name", name}}},
              {"output", nullptr},
              {"start", start},
              {"status", status},
              {"end", end},
              {"duration", 1.0}};
}

Json ChaosrunJournal() {
  Json run = Json::array();
  Json apply = Record("freeze", "2026-01-01T00:00:01+00:00", "2026-01-01T00:00:02+00:00");
  apply["output"] = {{"fault", "f-1"}, {"targets", {"process:x/1"}}};
  run.push_back(apply);
  Json bg = Record("load", "2026-01-01T00:00:01+00:00", "2026-01-01T00:00:05+00:00", "failed");
  bg["activity"]["background"] = true;
  bg["activity"]["pauses"] = {{"before", 0.5}, {"after", 2}};
  bg["exception"] = {"Traceback\n", "chaoslib.exceptions.ActivityFailed: boom\n"};
  run.push_back(bg);
  Json undo = Record("undo freeze", "2026-01-01T00:00:06+00:00", "2026-01-01T00:00:07+00:00");
  undo["fault"] = "f-1";
  undo["reason"] = "end of run";
  Json j = {
      {"chaoslib-version", "chaosrun 0.1.0"},
      {"experiment", {{"title", "T"}, {"description", "D"}}},
      {"start", "2026-01-01T00:00:00+00:00"},
      {"status", "completed"},
      {"deviated", false},
      {"steady_states",
       {{"before", {{"steady_state_met", true}, {"probes", Json::array()}}},
        {"after", nullptr},
        {"during",
         {{{"steady_state_met", false},
           {"probes", {Record("p", "2026-01-01T00:00:03+00:00", "2026-01-01T00:00:03+00:00")}}}}}}},
      {"run", run},
      {"rollbacks", {undo}},
      {"end", "2026-01-01T00:00:08+00:00"},
      {"duration", 8.0},
      {"faults",
       {{{"id", "f-1"},
         {"activity", "freeze"},
         {"driver", "process"},
         {"func", "stop"},
         {"targets", {"process:x/1"}},
         {"applied", true},
         {"undone", true},
         {"undone_by", "end of run"}}}},
      {"drill", {{"time_to_detect", 12.5}, {"alert_fired_at", "2026-01-01T00:00:04Z"}}},
      {"controls-state", {{"x", 1}}}};
  return j;
}

TEST(ModelTest, ReadsChaosrunsJournalWithFaultsChecksAndDrill) {
  auto r = BuildReport(ChaosrunJournal(), "j.json");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->title, "T");
  EXPECT_FALSE(r->reference);
  EXPECT_EQ(r->status, "completed");
  EXPECT_EQ(r->deviated, std::optional<bool>(false));
  EXPECT_EQ(ExitMeaning(*r), "0: completed, steady state met");
  ASSERT_EQ(r->run.size(), 2u);
  EXPECT_TRUE(r->run[1].background);
  EXPECT_DOUBLE_EQ(r->run[1].pause_after, 2);
  EXPECT_EQ(r->run[1].error, "chaoslib.exceptions.ActivityFailed: boom");
  ASSERT_EQ(r->faults.size(), 1u);
  const Fault& f = r->faults[0];
  EXPECT_DOUBLE_EQ(f.applied_at, r->run[0].start);
  EXPECT_DOUBLE_EQ(f.undone_at, r->rollbacks[0].end);
  EXPECT_EQ(f.undo_activity, "undo freeze");
  ASSERT_EQ(r->checks.size(), 2u);  // before (no probes) and one during
  EXPECT_EQ(r->checks[1].phase, "during");
  EXPECT_EQ(r->checks[1].met, std::optional<bool>(false));
  EXPECT_TRUE(r->drill.present);
  EXPECT_DOUBLE_EQ(r->drill.time_to_detect, 12.5);
  EXPECT_TRUE(std::isnan(r->drill.time_to_notify));
  EXPECT_DOUBLE_EQ(r->drill.alert_fired_at, r->start + 4);
  // The experiment and the unknown member are kept as data.
  ASSERT_EQ(r->extras.size(), 2u);
  EXPECT_EQ(r->extras[0].pointer, "/experiment");
  EXPECT_EQ(r->extras[1].pointer, "/controls-state");
}

TEST(ModelTest, UnknownShapesAreDataNotErrors) {
  Json j = {{"run", {{{"activity", "not an object"}, {"output", {1, 2}}, {"surprise", true}}}},
            {"experiment", 42},
            {"status", 7},
            {"deviated", "maybe"},
            {"faults", {{{"id", 3}, {"targets", "all"}}}},
            {"steady_states", {{"during", Json::array()}}}};
  auto r = BuildReport(j, "odd.json");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, "7");
  EXPECT_FALSE(r->deviated.has_value());
  ASSERT_EQ(r->run.size(), 1u);
  EXPECT_EQ(r->run[0].output, "[\n  1,\n  2\n]");
  EXPECT_TRUE(std::isnan(r->run[0].start));
  EXPECT_EQ(r->faults[0].id, "3");
  EXPECT_FALSE(RenderRunPage(*r).empty());
  EXPECT_TRUE(BuildReport(Json::object(), "empty.json"));
}

TEST(ModelTest, MalformedJournalsNameTheFileAndThePointer) {
  struct Case {
    const char* journal;
    const char* message;
  };
  const Case cases[] = {
      {R"([])", "bad.json: /: a journal must be a JSON object"},
      {R"({"run": 3})", "bad.json: /run: must be a list of run records"},
      {R"({"run": [1]})", "bad.json: /run/0: a run record must be an object"},
      {R"({"run": [{"start": "noon"}]})", "bad.json: /run/0/start: not an ISO-8601 time: 'noon'"},
      {R"({"rollbacks": [{}, {"end": 5}]})",
       "bad.json: /rollbacks/1/end: a time must be an ISO-8601 string"},
      {R"({"steady_states": {"before": {"probes": [{"end": "x"}]}}})",
       "bad.json: /steady_states/before/probes/0/end: not an ISO-8601 time: 'x'"},
      {R"({"steady_states": {"during": [[]]}})",
       "bad.json: /steady_states/during/0: a hypothesis state must be an object"},
      {R"({"faults": ["x"]})", "bad.json: /faults/0: a fault must be an object"},
      {R"({"drill": {"time_to_detect": "fast"}})",
       "bad.json: /drill/time_to_detect: must be seconds (a number)"},
      {R"({"start": "2026-99-01T00:00:00Z"})",
       "bad.json: /start: not an ISO-8601 time: '2026-99-01T00:00:00Z'"},
  };
  for (const Case& c : cases) {
    auto r = BuildReport(Json::parse(c.journal), "bad.json");
    ASSERT_FALSE(r) << c.journal;
    EXPECT_EQ(r.error().message(), c.message);
  }
}

TEST(ModelTest, ReadReportNamesTheFileLineAndColumnOfASyntaxError) {
  std::string path = ::testing::TempDir() + "/report_model_syntax.json";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("{\n  \"status\": \"completed\",\n  \"run\": [,]\n}\n", f);
  std::fclose(f);
  auto r = ReadReport(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind(path + ": not JSON at line 3, column 11: ", 0), 0u)
      << r.error().message();
  std::remove(path.c_str());
  auto missing = ReadReport(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), path + ": cannot open the journal");
}

TEST(HistoryModelTest, SortsByStartAndSummarisesEachRun) {
  auto a = BuildReport(ChaosrunJournal(), "a.json");
  ASSERT_TRUE(a);
  Json late = ChaosrunJournal();
  late["start"] = "2026-01-02T00:00:00+00:00";
  late["deviated"] = true;
  late["drill"]["time_to_detect"] = 30;
  auto b = BuildReport(late, "b.json");
  ASSERT_TRUE(b);
  auto c = BuildReport(Json::object(), "c.json");
  ASSERT_TRUE(c);
  std::vector<HistoryEntry> e = {MakeHistoryEntry(*c), MakeHistoryEntry(*b), MakeHistoryEntry(*a)};
  SortByStart(e);
  EXPECT_EQ(e[0].journal, "a.json");
  EXPECT_EQ(e[1].journal, "b.json");
  EXPECT_EQ(e[2].journal, "c.json");  // no start: last
  EXPECT_TRUE(e[0].passed);
  EXPECT_FALSE(e[1].passed);
  EXPECT_DOUBLE_EQ(e[1].time_to_detect, 30);
  EXPECT_EQ(e[0].faults, 1u);
  EXPECT_EQ(DefaultPagePath("/x/y/run.json"), "/x/y/run.html");
  EXPECT_EQ(DefaultPagePath("run"), "run.html");
}

}  // namespace
}  // namespace chaosrun::report
