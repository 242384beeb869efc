// The argument table of `chaosrun drivers` (plugin/argument_table.h): rows in the schema's order
// with a compact type, required / one of, the schema's default and description; the rules that
// tie arguments together; the --json members.
#include "plugin/argument_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chaosrun::plugin {
namespace {

Json TableSchema() {
  Json props = Json::object();
  props["pids"] = {{"type", "array"},
                   {"items", {{"type", "integer"}, {"minimum", 1}}},
                   {"description", "these process ids"}};
  props["name"] = {{"type", "string"}, {"description", "the comm"}};
  props["signal"] = {
      {"anyOf", Json::array({Json{{"type", "integer"}, {"minimum", 1}, {"maximum", 64}},
                             Json{{"enum", Json::array({"KILL", "TERM"})}}})},
      {"default", "KILL"},
      {"description", "the signal"}};
  props["percent"] = {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 100.0}};
  props["proxy"] = {{"type", "string"}, {"description", "the proxy"}};
  return Json{
      {"type", "object"},
      {"properties", props},
      {"required", Json::array({"proxy"})},
      {"additionalProperties", false},
      {"allOf",
       Json::array({Json{{"oneOf", Json::array({Json{{"required", Json::array({"pids"})}},
                                                Json{{"required", Json::array({"name"})}}})}},
                    Json{{"not", {{"required", Json::array({"name", "percent"})}}}}})},
      {"dependencies", {{"percent", Json::array({"pids"})}}}};
}

TEST(ArgumentTable, RowsFollowTheSchema) {
  ArgumentSummary s = SummarizeArguments(TableSchema());
  ASSERT_EQ(s.rows.size(), 5u);
  EXPECT_EQ(s.rows[0].name, "pids");
  EXPECT_EQ(s.rows[0].type, "list of integer >= 1");
  EXPECT_TRUE(s.rows[0].in_group);
  EXPECT_FALSE(s.rows[0].required);
  EXPECT_EQ(s.rows[2].type, "integer 1..64 or KILL|TERM");
  EXPECT_EQ(s.rows[2].default_value, "KILL");
  EXPECT_EQ(s.rows[3].type, "number > 0, <= 100");
  EXPECT_TRUE(s.rows[3].description.empty());
  EXPECT_TRUE(s.rows[4].required);
  // The schema's own rules, then its allOf members'.
  EXPECT_EQ(s.rules, (std::vector<std::string>{"percent needs pids", "exactly one of: pids, name",
                                               "not together: name, percent"}));
}

TEST(ArgumentTable, TheTableLinesUpItsColumns) {
  std::vector<std::string> lines = ArgumentTableLines(SummarizeArguments(TableSchema()), "  ");
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0], "  argument  type                        required  default  description");
  EXPECT_EQ(lines[1],
            "  pids      list of integer >= 1        one of    -        these process ids");
  EXPECT_EQ(lines[3], "  signal    integer 1..64 or KILL|TERM  no        KILL     the signal");
  EXPECT_EQ(lines[4], "  percent   number > 0, <= 100          no        -        -");
  EXPECT_EQ(lines[5], "  proxy     string                      yes       -        the proxy");
  EXPECT_EQ(lines[7], "  exactly one of: pids, name");
}

TEST(ArgumentTable, NoPropertiesIsSaid) {
  EXPECT_EQ(ArgumentTableLines(SummarizeArguments(Json::object()), ""),
            std::vector<std::string>{"(any arguments)"});
  Json closed{{"type", "object"}, {"additionalProperties", false}};
  EXPECT_EQ(ArgumentTableLines(SummarizeArguments(closed), ""),
            std::vector<std::string>{"(no arguments)"});
  Json groups{{"anyOf", Json::array({Json{{"required", Json::array({"a", "b"})}},
                                     Json{{"required", Json::array({"c"})}}})}};
  EXPECT_EQ(SummarizeArguments(groups).rules,
            std::vector<std::string>{"at least one of: a + b, c"});
}

TEST(ArgumentTable, JsonMembers) {
  Json entry{{"name", "kill"}, {"arguments", TableSchema()}};
  AddArgumentSummary(SummarizeArguments(TableSchema()), entry);
  EXPECT_EQ(entry["name"], "kill");
  ASSERT_EQ(entry["argument_list"].size(), 5u);
  EXPECT_EQ(entry["argument_list"][2], (Json{{"name", "signal"},
                                             {"type", "integer 1..64 or KILL|TERM"},
                                             {"required", false},
                                             {"default", "KILL"},
                                             {"description", "the signal"}}));
  EXPECT_FALSE(entry["argument_list"][0].contains("default"));
  EXPECT_EQ(entry["argument_rules"].size(), 3u);
}

}  // namespace
}  // namespace chaosrun::plugin
