// docs/cli.md cannot drift from the binary: for every command, the options `chaosrun COMMAND
// --help` lists are exactly the options of that command's table in docs/cli.md, the global ones
// likewise, and every command of `chaosrun --help` has its section.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "support/temp_dir.h"
#include "usage_harness.h"

namespace chaosrun::usagetest {
namespace {

std::set<std::string> LongOptionsIn(const std::string& text) {
  std::set<std::string> names;
  static const std::regex kOption(R"((^|[^A-Za-z0-9-])(--[a-z][a-z0-9-]*))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kOption);
       it != std::sregex_iterator(); ++it) {
    names.insert((*it)[2]);
  }
  return names;
}

// The options of the help's section `heading` ("Options", "Global options"): the left column of
// each line that starts with "  -", up to the blank line that ends the section.
std::set<std::string> HelpSection(const std::string& help, const std::string& heading) {
  std::set<std::string> names;
  std::istringstream in(help);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == heading + ":") {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line.empty()) break;
    if (line.rfind("  -", 0) != 0) continue;
    size_t gap = line.find("  ", 2);
    for (const auto& n : LongOptionsIn(line.substr(0, gap))) names.insert(n);
  }
  return names;
}

// The options in the first column of the tables of docs/cli.md's section `heading` (up to the
// next "## " heading).
std::set<std::string> DocSection(const std::string& doc, const std::string& heading, bool* found) {
  std::set<std::string> names;
  std::istringstream in(doc);
  bool inside = false;
  *found = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) {
      // "## `proxy" is the section "## `proxy serve`"; "## `run" is "## `run`".
      char next = line.size() > heading.size() ? line[heading.size()] : ' ';
      inside = line.rfind(heading, 0) == 0 && (next == ' ' || next == '`');
      *found = *found || inside;
      continue;
    }
    if (!inside || line.rfind("| `-", 0) != 0) continue;
    size_t end = line.find(" | ", 2);
    for (const auto& n : LongOptionsIn(line.substr(0, end))) names.insert(n);
  }
  return names;
}

class DocsMatchHelp : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string doc_ = ReadWhole(SourceDir() / "docs" / "cli.md");
};

TEST_F(DocsMatchHelp, GlobalOptions) {
  Ran help = RunChaosrunIn(dir_.path(), {"--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  std::set<std::string> listed = HelpSection(help.out, "Options");
  ASSERT_THAT(listed, ::testing::Contains("--no-version-check"));
  bool found = false;
  EXPECT_EQ(DocSection(doc_, "## Global options", &found), listed);
  EXPECT_TRUE(found) << "docs/cli.md has no '## Global options'";
}

TEST_F(DocsMatchHelp, EveryCommandHasItsSectionWithTheSameOptions) {
  Ran help = RunChaosrunIn(dir_.path(), {"--help"});
  ASSERT_EQ(help.exit_code, 0);
  std::vector<std::string> commands;
  std::istringstream in(help.out.substr(help.out.find("Commands:\n")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && !line.empty()) {
    commands.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  ASSERT_THAT(commands, ::testing::IsSupersetOf({"run", "validate", "drivers", "recover", "halt",
                                                 "proxy", "report", "remote"}));
  for (const std::string& command : commands) {
    Ran h = RunChaosrunIn(dir_.path(), {command, "--help"});
    ASSERT_EQ(h.exit_code, 0) << command << ": " << h.err;
    std::set<std::string> listed = HelpSection(h.out, "Options");
    listed.erase("--help");  // a global option, even where a command's help repeats it
    bool found = false;
    std::set<std::string> documented = DocSection(doc_, "## `" + command, &found);
    EXPECT_TRUE(found) << "docs/cli.md has no section '## `" << command << "`'";
    EXPECT_EQ(documented, listed) << "`chaosrun " << command
                                  << " --help` and its section of docs/cli.md differ";
  }
}

TEST_F(DocsMatchHelp, TheHiddenCommandsAreDocumentedToo) {
  bool found = false;
  DocSection(doc_, "## `completion`", &found);
  EXPECT_TRUE(found);
  EXPECT_NE(doc_.find("man-page"), std::string::npos);
}

}  // namespace
}  // namespace chaosrun::usagetest
