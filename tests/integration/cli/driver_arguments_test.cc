// Driver arguments end to end through the real binary and the built-in drivers: `chaosrun
// validate` words a wrong argument plainly at its key's pointer (the `nmae` typo is one line,
// with no "missing" twin), reports every problem at once; `chaosrun drivers` shows each action's
// and probe's arguments as a table, and `--json` carries them; no built-in argument lacks a
// one-line description.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli_fixture.h"

namespace chaosrun::clitest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Json ProcessDriverActivity(const std::string& func, const Json& arguments) {
  return {{"type", "action"},
          {"name", "driver-" + func},
          {"provider",
           {{"type", "driver"}, {"driver", "process"}, {"func", func}, {"arguments", arguments}}}};
}

// The lines of `text` that contain `part`.
std::vector<std::string> LinesWith(const std::string& text, const std::string& part) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(part) != std::string::npos) out.push_back(line);
  }
  return out;
}

class DriverArgumentsTest : public CliTest {};

TEST_F(DriverArgumentsTest, ATypoIsOneLineNamingTheLikelyArgumentAndTheAllowedOnes) {
  const std::string path =
      Write("nmae.json", DumpPretty(Experiment(Json::array(
                             {ProcessDriverActivity("stop", Json{{"nmae", "redis-server"}})}))));
  Outcome o = Raw({"validate", path});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_EQ(LinesWith(o.out + o.err, "/method/0/provider"),
            std::vector<std::string>{
                "/method/0/provider/arguments/nmae: unknown argument; did you mean 'name'? "
                "(allowed: pids, pidfile, name, cmdline, unit, count, percent, seed) (activity "
                "'driver-stop')"})
      << o.out << o.err;
  EXPECT_THAT(o.out + o.err, Not(HasSubstr("Missing required")));
  // And `run` refuses it the same way, before anything runs.
  Outcome r = Run({path});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(JournalExists());
}

TEST_F(DriverArgumentsTest, ValidateReportsEveryWrongArgument) {
  const std::string path = Write(
      "many.json",
      DumpPretty(Experiment(Json::array(
          {ProcessDriverActivity("stop", Json{{"name", "x"}, {"count", "3"}}),
           ProcessDriverActivity("kill", Json{{"pids", Json::array({42})}, {"signal", "SIGFOO"}}),
           ProcessDriverActivity("stop", Json::object())}))));
  Outcome o = Raw({"validate", path});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  const std::string all = o.out + o.err;
  EXPECT_THAT(all, HasSubstr("/method/0/provider/arguments/count: must be an integer, got string "
                             "\"3\""));
  EXPECT_THAT(all, HasSubstr("/method/1/provider/arguments/signal: must be one of \"SIGHUP\""));
  EXPECT_THAT(all, HasSubstr("/method/1/provider/arguments: missing required argument: one of "
                             "'restart' or 'unit'"));
  EXPECT_THAT(all, HasSubstr("/method/2/provider/arguments: missing required argument: one of "
                             "'pids', 'pidfile', 'name', 'cmdline' or 'unit'"));
  for (const char* raw : {"constraint", "property", "schema", "Failed to"}) {
    EXPECT_THAT(all, Not(HasSubstr(raw))) << all;
  }
}

TEST_F(DriverArgumentsTest, DriversShowsATableOfArgumentsPerFunction) {
  Outcome o = Raw({"drivers"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_THAT(o.out, HasSubstr("  action stop: "));
  EXPECT_THAT(o.out, HasSubstr("      argument  type"));
  EXPECT_THAT(o.out, HasSubstr("required  default  description"));
  EXPECT_THAT(o.out, HasSubstr("      exactly one of: pids, pidfile, name, cmdline, unit"));
  EXPECT_THAT(o.out, HasSubstr("      not together: count, percent"));
  // A row: name, type, required, default, description.
  auto rows = LinesWith(o.out, "      count ");
  ASSERT_FALSE(rows.empty()) << o.out;
  EXPECT_THAT(rows[0], HasSubstr("integer >= 1"));
  EXPECT_THAT(rows[0], HasSubstr("act on this many of the matches"));
  auto tls = LinesWith(o.out, "      fault ");
  ASSERT_FALSE(tls.empty()) << o.out;
  EXPECT_THAT(tls[0], HasSubstr(" yes "));
}

TEST_F(DriverArgumentsTest, DriversJsonKeepsTheDescriptorAndAddsTheArguments) {
  Outcome o = Raw({"drivers", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  Json j = Json::parse(o.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << o.out;
  std::vector<std::string> seen;
  for (const auto& d : j["drivers"]) {
    const std::string name = d.value("name", "");
    EXPECT_TRUE(d.contains("version") && d.contains("path")) << name;
    if (name != "process" && name != "tls" && name != "network" && name != "telemetry") continue;
    seen.push_back(name);
    for (const char* list : {"actions", "probes"}) {
      for (const auto& f : d.value(list, Json::array())) {
        const std::string where = name + " " + f.value("name", "");
        EXPECT_TRUE(f.contains("arguments")) << where << ": the schema is kept";
        ASSERT_TRUE(f.contains("argument_list") && f["argument_list"].is_array()) << where;
        EXPECT_TRUE(f.contains("argument_rules")) << where;
        for (const auto& a : f["argument_list"]) {
          const std::string arg = where + " " + a.value("name", "");
          EXPECT_FALSE(a.value("type", "").empty()) << arg;
          EXPECT_TRUE(a["required"].is_boolean()) << arg;
          // Every built-in argument has a one-line description.
          const std::string text = a.value("description", "");
          EXPECT_FALSE(text.empty()) << arg << " has no description";
          EXPECT_EQ(text.find('\n'), std::string::npos) << arg;
        }
      }
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"network", "process", "telemetry", "tls"}))
      << "the built-in drivers are loaded in file-name order";
}

}  // namespace
}  // namespace chaosrun::clitest
