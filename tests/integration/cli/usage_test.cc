// The command line itself: help, version, usage errors (exit 2), unloadable experiments (exit 1,
// no journal) and `validate`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "cli_fixture.h"

namespace chaosrun::clitest {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class UsageTest : public CliTest {
 protected:
  std::string Valid() const {
    return Write(
        "ok.json",
        Experiment(Json::array({ProcessActivity("action", "a", "true", Json::array())})).dump());
  }
};

TEST_F(UsageTest, HelpVersionAndCommandHelp) {
  Outcome help = Raw({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, StartsWith("Usage: chaosrun"));
  EXPECT_THAT(help.out, HasSubstr("validate"));

  Outcome run_help = Raw({"run", "--help"});
  EXPECT_EQ(run_help.exit_code, 0);
  EXPECT_THAT(run_help.out, StartsWith("Usage: chaosrun run"));
  EXPECT_THAT(run_help.out, HasSubstr("--journal-path"));
  EXPECT_THAT(run_help.out, HasSubstr("--rollback-strategy"));

  Outcome validate_help = Raw({"validate", "--help"});
  EXPECT_EQ(validate_help.exit_code, 0);
  EXPECT_THAT(validate_help.out, StartsWith("Usage: chaosrun validate"));

  Outcome version = Raw({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(std::regex_match(version.out, std::regex(R"(chaosrun \d+\.\d+\.\d+\n)")))
      << version.out;
}

TEST_F(UsageTest, UsageErrorsExitTwoAndRunNothing) {
  std::string ok = Valid();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--no-such-flag", ok}, "no such option: --no-such-flag"},
      {{"run", "--no-such-flag", ok}, "no such option"},
      {{"run", "--state-dir", StateDir()}, "missing argument: SOURCE"},
      {{"validate"}, "missing argument: SOURCE"},
      {{"run", "--dry", "everything", ok}, "--dry must be one of"},
      {{"run", "--rollback-strategy", "sometimes", ok}, "--rollback-strategy"},
      {{"run", "--var", "no-equals-sign", ok}, "--var"},
      {{"run", "--var", "k:complex=1", ok}, "--var"},
      {{"run", "--journal-path"}, "--journal-path needs a value"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    if (args[0] == "run") args.insert(args.begin() + 1, {"--state-dir", StateDir()});
    Outcome o = Raw(args);
    EXPECT_EQ(o.exit_code, 2) << ::testing::PrintToString(c.args) << "\n" << o.err;
    EXPECT_THAT(o.err, HasSubstr(c.message)) << ::testing::PrintToString(c.args);
    EXPECT_THAT(o.out, IsEmpty());
  }
  EXPECT_FALSE(std::filesystem::exists(Dir() / "journal.json"));
}

TEST_F(UsageTest, MissingFileExitsOneWithoutJournal) {
  Outcome o = Run({"does-not-exist.json"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("does-not-exist.json"));
  EXPECT_THAT(o.err, HasSubstr("does not exist"));
  EXPECT_FALSE(JournalExists());
}

// The position is where the offending token starts, as the reference (Python's json) reports:
// "Expecting ':' delimiter: line 3 column 17", "Expecting ',' delimiter: line 5 column 3".
TEST_F(UsageTest, JsonSyntaxErrorNamesFileLineAndColumn) {
  std::string path = Write("broken.json", "{\n  \"title\": \"x\",\n  \"description\" \"d\"\n}\n");
  Outcome o = Run({path});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("broken.json:3:17: ")) << o.err;
  EXPECT_THAT(o.err, Not(HasSubstr("terminate called")));
  EXPECT_FALSE(JournalExists());

  Outcome v = Raw({"validate", "--state-dir", StateDir(), path});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr("broken.json:3:17: ")) << v.err;

  std::string comma = Write("comma.json",
                            "{\n  \"title\": \"x\",\n  \"description\": \"d\",\n"
                            "  \"method\": []\n  \"rollbacks\": []\n}\n");
  Outcome c = Raw({"validate", "--state-dir", StateDir(), comma});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.err, HasSubstr("comma.json:5:3: ")) << c.err;
}

TEST_F(UsageTest, YamlSyntaxErrorNamesLineAndColumn) {
  std::string path = Write("broken.yaml", "title: x\ndescription: [unclosed\nmethod: []\n");
  Outcome o = Run({path});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_TRUE(std::regex_search(o.err, std::regex(R"(broken\.yaml:\d+:\d+)"))) << o.err;
  EXPECT_FALSE(JournalExists());
}

TEST_F(UsageTest, ValidatePrintsEveryProblemAsPointerAndReason) {
  // Three problems: no description, an activity without a name, an http probe without a url.
  std::string path = Write("three.json", R"({
    "title": "t",
    "method": [
      {"type": "action", "provider": {"type": "process", "path": "true"}},
      {"type": "probe", "name": "h", "provider": {"type": "http"}}
    ]})");
  Outcome o = Raw({"validate", "--state-dir", StateDir(), path});
  EXPECT_EQ(o.exit_code, 1);
  std::vector<std::string> lines;
  std::istringstream in(o.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << o.out;
  for (const auto& line : lines) {
    EXPECT_TRUE(std::regex_match(line, std::regex(R"((/[^ :]*)+: \S.*)"))) << line;
  }
  EXPECT_THAT(lines[0], StartsWith("/description: "));
  EXPECT_THAT(lines[1], StartsWith("/method/0/name: "));
  EXPECT_THAT(lines[2], StartsWith("/method/1/provider/url: "));

  Outcome j = Raw({"validate", "--json", "--state-dir", StateDir(), path});
  EXPECT_EQ(j.exit_code, 1);
  Json problems = Json::parse(j.out, nullptr, false);
  ASSERT_TRUE(problems.is_array()) << j.out;
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0]["pointer"], "/description");
  EXPECT_EQ(problems[2]["pointer"], "/method/1/provider/url");
  for (const auto& p : problems) {
    EXPECT_TRUE(p["message"].is_string());
    EXPECT_EQ(p["severity"], "error");
  }
}

TEST_F(UsageTest, ValidateAcceptsTheExamples) {
  for (const char* name :
       {"process-only.json", "process-only.yaml", "http-local.json", "long-sleep.json"}) {
    Outcome o = Raw({"validate", "--state-dir", StateDir(), Example(name)});
    EXPECT_EQ(o.exit_code, 0) << name << "\n" << o.out << o.err;
    EXPECT_THAT(o.out, IsEmpty()) << name;
  }
  Outcome j = Raw({"validate", "--json", "--state-dir", StateDir(), Example("process-only.json")});
  EXPECT_EQ(j.exit_code, 0);
  EXPECT_EQ(Json::parse(j.out, nullptr, false), Json::array());
}

TEST_F(UsageTest, InvalidExperimentIsNotRun) {
  std::string path = Write("invalid.json", R"({"title": "t", "description": "d", "method": [
      {"type": "action", "name": "a", "provider": {"type": "process", "path": "touch",
       "arguments": ["marker"]}},
      {"type": "banana", "name": "b", "provider": {"type": "process", "path": "true"}}]})");
  Outcome o = Run({path});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("/method/1/type"));
  EXPECT_FALSE(std::filesystem::exists(Dir() / "marker"));
  EXPECT_FALSE(JournalExists());
}

}  // namespace
}  // namespace chaosrun::clitest
