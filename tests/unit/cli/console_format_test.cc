// The console's text (cli/console_format.h, cli/console_summary.h): durations for people, URLs
// without their secrets, one line per fault, and the end-of-run summary built from an Outcome.
#include "cli/console_format.h"

#include <gtest/gtest.h>

#include <string>

#include "cli/console_summary.h"

namespace chaosrun::cli {
namespace {

TEST(ConsoleFormat, DurationsAreForPeople) {
  EXPECT_EQ(HumanDuration(1), "1 s");
  EXPECT_EQ(HumanDuration(0.25), "250 ms");
  EXPECT_EQ(HumanDuration(1.5), "1.5 s");
  EXPECT_EQ(HumanDuration(1.25), "1.25 s");
  EXPECT_EQ(HumanDuration(12.3), "12.3 s");
  EXPECT_EQ(HumanDuration(125), "2 min 5 s");
  EXPECT_EQ(HumanDuration(60), "1 min");
  EXPECT_EQ(HumanDuration(3600), "1 h");
  EXPECT_EQ(HumanDuration(3720), "1 h 2 min");
  EXPECT_EQ(HumanDuration(0), "0 ms");
}

TEST(ConsoleFormat, UrlsLoseCredentialsAndQuery) {
  EXPECT_EQ(ShownUrl("http://u:pw@127.0.0.1:80/a/b?token=x#f"), "http://127.0.0.1:80/a/b?…");
  EXPECT_EQ(ShownUrl("https://example.org/health"), "https://example.org/health");
  EXPECT_EQ(ShownUrl("http://h/p?"), "http://h/p");
  EXPECT_EQ(ShownUrl("http://h/p#frag"), "http://h/p");
}

TEST(ConsoleFormat, ArgvIsQuotedAsAShellWouldReadIt) {
  EXPECT_EQ(ShellJoin(Json::array({"sh", "-c", "kill -0 1", "it's"})),
            R"(sh -c 'kill -0 1' 'it'\''s')");
  EXPECT_EQ(VerboseStart({{"type", "process"}, {"path", "echo"}, {"arguments", {"a b"}}}),
            "command: echo 'a b'");
  EXPECT_EQ(VerboseStart({{"type", "http"}, {"url", "http://h/x?k=v"}, {"timeout", 2}}),
            "request: GET http://h/x?… (timeout 2 s)");
  EXPECT_EQ(VerboseStart({{"type", "driver"}, {"driver", "process"}}), "");
}

Json FaultRecord() {
  return {{"activity",
           {{"type", "action"},
            {"name", "freeze"},
            {"provider", {{"type", "driver"}, {"driver", "process"}, {"func", "stop"}}}}},
          {"status", "succeeded"},
          {"duration", 0.02},
          {"output",
           {{"fault", "1-2-3"},
            {"targets", {"process:nginx/1234"}},
            {"undo_description", "SIGCONT pid 1234"},
            {"max_duration", 125}}}};
}

TEST(ConsoleFormat, AFaultIsOneReadableLine) {
  EXPECT_EQ(FaultLine(FaultRecord()),
            "process.stop on nginx (pid 1234), 2 min 5 s; undo: SIGCONT pid 1234");
  std::string result = ActivityResult(FaultRecord());
  EXPECT_EQ(result.find("1-2-3"), std::string::npos) << result;  // no opaque id
  EXPECT_EQ(result.find('{'), std::string::npos) << result;      // no raw JSON
  EXPECT_EQ(FaultLine({{"status", "succeeded"}, {"output", {{"status", 0}}}}), "");
}

TEST(ConsoleSummary, SaysWhatWasInjectedObservedAndUndone) {
  struct {
    Json journal;
  } out;
  Json left = FaultRecord();
  left["output"]["fault"] = "4-5-6";
  left["output"]["targets"] = {"process:redis/77"};
  left["output"]["undo_description"] = "SIGCONT pid 77";
  out.journal = {{"status", "completed"},
                 {"deviated", false},
                 {"steady_states",
                  {{"before", {{"steady_state_met", true}}},
                   {"after", {{"steady_state_met", true}}},
                   {"during", Json::array({{{"steady_state_met", true}}})}}},
                 {"run", Json::array({FaultRecord(), left})},
                 {"faults", Json::array({{{"id", "1-2-3"},
                                          {"driver", "process"},
                                          {"func", "stop"},
                                          {"applied", true},
                                          {"undone", true},
                                          {"undone_by", "end of run"}},
                                         {{"id", "4-5-6"},
                                          {"driver", "process"},
                                          {"func", "stop"},
                                          {"applied", true},
                                          {"undone", false},
                                          {"undo_error", "permission denied"}}})}};
  auto lines = SummaryLines(out.journal);
  std::string all;
  for (const auto& [level, text] : lines) all += text + "\n";
  EXPECT_LE(lines.size(), 20u);
  EXPECT_NE(all.find("injected: process.stop on nginx (pid 1234), 2 min 5 s"), std::string::npos)
      << all;
  EXPECT_NE(all.find("injected: process.stop on redis (pid 77)"), std::string::npos) << all;
  EXPECT_NE(all.find("observed: steady state before: met; after: met; during: 1 check, all met; "
                     "not deviated"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("undone:   process.stop on nginx (pid 1234): SIGCONT pid 1234 (end of run)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("NOT undone: process.stop on redis (pid 77): permission denied; left in the "
                     "ledger: run `chaosrun recover`"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("status:   completed (exit code 1)"), std::string::npos) << all;
  EXPECT_EQ(all.find("1-2-3"), std::string::npos) << all;
  bool error_for_left = false;
  for (const auto& [level, text] : lines) {
    if (text.find("NOT undone") != std::string::npos) error_for_left = level == log::Level::kError;
  }
  EXPECT_TRUE(error_for_left);
}

TEST(ConsoleSummary, ManyFaultsStayOnOneScreen) {
  struct {
    Json journal;
  } out;
  out.journal = {{"status", "completed"}, {"run", Json::array()}, {"faults", Json::array()}};
  for (int i = 0; i < 40; ++i) {
    Json r = FaultRecord();
    r["output"]["fault"] = "id-" + std::to_string(i);
    out.journal["run"].push_back(r);
    out.journal["faults"].push_back(
        {{"id", "id-" + std::to_string(i)}, {"applied", true}, {"undone", true}});
  }
  auto lines = SummaryLines(out.journal);
  EXPECT_LE(lines.size(), 20u);
}

TEST(ConsoleSummary, NothingWithoutAJournal) { EXPECT_TRUE(SummaryLines(Json()).empty()); }

}  // namespace
}  // namespace chaosrun::cli
