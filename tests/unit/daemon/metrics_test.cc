#include "daemon/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace chaosrun::daemon {
namespace {

// A small parser of the text format 0.0.4: every sample line is `name{labels} value`, every
// family has exactly one HELP and one TYPE line before its samples.
struct Parsed {
  std::map<std::string, double> samples;  // "name{labels}" -> value
  std::map<std::string, std::string> types;
  std::vector<std::string> errors;
};

Parsed ParseExposition(const std::string& text) {
  Parsed p;
  std::set<std::string> helps;
  std::istringstream in(text);
  std::string line;
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.e+]+|NaN|\+Inf|-Inf)$)");
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      if (!helps.insert(name).second) p.errors.push_back("second HELP for " + name);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      if (p.types.contains(name)) p.errors.push_back("second TYPE for " + name);
      if (type != "counter" && type != "gauge") p.errors.push_back("bad type " + type);
      p.types[name] = type;
      continue;
    }
    std::smatch m;
    if (!std::regex_match(line, m, sample)) {
      p.errors.push_back("bad line: " + line);
      continue;
    }
    if (!p.types.contains(m[1].str())) p.errors.push_back("no TYPE before " + line);
    p.samples[m[1].str() + m[2].str()] = std::stod(m[m.size() - 1].str());
  }
  return p;
}

TEST(DaemonMetrics, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(DaemonMetrics, TextFormatParsesBackWithEveryFamily) {
  MetricsSnapshot m;
  m.runs_by_outcome = {{"completed", 3}, {"failed", 1}};
  m.runs_in_progress = 2;
  m.faults_applied = 5;
  m.faults_undone = 4;
  m.undo_failures = 1;
  m.ledger_pending = 1;
  m.interrupted_runs_found = 2;
  m.schedules["drill \"a\""] = {0.25, 3, 1, 1765000000.5};
  m.schedules["b"] = {};
  Parsed p = ParseExposition(RenderMetrics(m));
  EXPECT_TRUE(p.errors.empty()) << p.errors.front();
  EXPECT_EQ(p.samples["chaosrun_runs_total{outcome=\"completed\"}"], 3);
  EXPECT_EQ(p.samples["chaosrun_runs_total{outcome=\"aborted\"}"], 0);
  EXPECT_EQ(p.samples["chaosrun_runs_in_progress"], 2);
  EXPECT_EQ(p.samples["chaosrun_faults_applied_total"], 5);
  EXPECT_EQ(p.samples["chaosrun_faults_undone_total"], 4);
  EXPECT_EQ(p.samples["chaosrun_undo_failures_total"], 1);
  EXPECT_EQ(p.samples["chaosrun_ledger_pending"], 1);
  EXPECT_EQ(p.samples["chaosrun_interrupted_runs_found_total"], 2);
  EXPECT_EQ(p.samples["chaosrun_schedule_lag_seconds{schedule=\"drill \\\"a\\\"\"}"], 0.25);
  EXPECT_EQ(p.samples["chaosrun_schedule_missed_fires_total{schedule=\"drill \\\"a\\\"\"}"], 3);
  EXPECT_DOUBLE_EQ(
      p.samples["chaosrun_schedule_last_success_timestamp_seconds{schedule=\"drill \\\"a\\\"\"}"],
      1765000000.5);
  EXPECT_FALSE(
      p.samples.contains("chaosrun_schedule_last_success_timestamp_seconds{schedule=\"b\"}"));
  EXPECT_EQ(p.types["chaosrun_runs_total"], "counter");
  EXPECT_EQ(p.types["chaosrun_runs_in_progress"], "gauge");
}

}  // namespace
}  // namespace chaosrun::daemon
