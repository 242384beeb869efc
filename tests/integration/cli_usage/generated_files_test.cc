// The bash completion and the man page the build made from the option table
// (share/completion/CMakeLists.txt): they exist where `cmake --install` takes them from, bash
// loads the completion and it completes commands, options and option values, and the man page
// formats (with man or groff where installed) and names every command and option.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/temp_dir.h"
#include "usage_harness.h"

namespace chaosrun::usagetest {
namespace {

using ::testing::HasSubstr;

std::filesystem::path CompletionFile() {
  return BuildShareDir() / "bash-completion" / "completions" / "chaosrun";
}
std::filesystem::path ManFile() { return BuildShareDir() / "man" / "man1" / "chaosrun.1"; }

class GeneratedFiles : public ::testing::Test {
 protected:
  // What the completion function offers for the words of `line` (the last one being completed).
  std::string Complete(const std::string& line) {
    std::string script = "source '" + CompletionFile().string() + "' && COMP_WORDS=(" + line +
                         ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _chaosrun && "
                         "for w in \"${COMPREPLY[@]}\"; do echo \"$w\"; done";
    Ran r = RunBash(dir_.path(), script);
    EXPECT_EQ(r.exit_code, 0) << line << ": " << r.err;
    return r.out;
  }
  testing::TempDir dir_;
};

TEST_F(GeneratedFiles, TheCompletionIsWhatTheBinaryPrints) {
  ASSERT_TRUE(std::filesystem::exists(CompletionFile())) << CompletionFile();
  Ran printed = RunChaosrunIn(dir_.path(), {"completion", "bash"});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(ReadWhole(CompletionFile()), printed.out);
  Ran loaded =
      RunBash(dir_.path(), "source '" + CompletionFile().string() + "' && complete -p chaosrun");
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_THAT(loaded.out, HasSubstr("-F _chaosrun chaosrun"));
}

TEST_F(GeneratedFiles, CmakeInstallPutsThemWhereBashCompletionAndManLook) {
  std::string rules =
      ReadWhole(BuildShareDir().parent_path() / "share" / "completion" / "cmake_install.cmake");
  EXPECT_THAT(rules, HasSubstr("/share/bash-completion/completions\" TYPE FILE FILES "
                               "\"" +
                               CompletionFile().string() + "\""));
  EXPECT_THAT(rules, HasSubstr("/man1\" TYPE FILE FILES \"" + ManFile().string() + "\""));
}

TEST_F(GeneratedFiles, TheCompletionCompletesCommandsOptionsAndValues) {
  EXPECT_THAT(Complete("chaosrun va"), HasSubstr("validate\n"));
  EXPECT_THAT(Complete("chaosrun re"), HasSubstr("recover\n"));
  EXPECT_EQ(Complete("chaosrun run --jou"), "--journal-path\n");
  EXPECT_EQ(Complete("chaosrun validate --str"), "--strict\n");
  EXPECT_EQ(Complete("chaosrun --no-v"), "--no-version-check\n");
  EXPECT_EQ(Complete("chaosrun run x.json --dry a"), "actions\nactivities\n");
  EXPECT_EQ(Complete("chaosrun --log-file-level w"), "warning\n");
  EXPECT_EQ(Complete("chaosrun proxy se"), "serve\n");
  EXPECT_EQ(Complete("chaosrun proxy serve --busy"), "--busy-poll\n");
  // recover has no --journal-path; run has no --force.
  EXPECT_EQ(Complete("chaosrun recover --jou"), "");
  EXPECT_EQ(Complete("chaosrun run --forc"), "");
}

TEST_F(GeneratedFiles, TheManPageNamesEveryCommandAndOption) {
  ASSERT_TRUE(std::filesystem::exists(ManFile())) << ManFile();
  Ran printed = RunChaosrunIn(dir_.path(), {"man-page"});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(ReadWhole(ManFile()), printed.out);
  // Formatted where a formatter is installed (CI has groff); else the roff source itself.
  std::string text;
  Ran formatted = RunBash(dir_.path(),
                          "command -v groff >/dev/null || exit 77; groff -man -Tutf8 -P-c -P-b "
                          "-P-u '" +
                              ManFile().string() + "'");
  if (formatted.exit_code == 0) {
    text = formatted.out;
  } else {
    ASSERT_EQ(formatted.exit_code, 77) << formatted.err;
    text = ReadWhole(ManFile());
    for (size_t at; (at = text.find("\\-")) != std::string::npos;) text.erase(at, 1);
  }
  for (const char* s :
       {"NAME",         "SYNOPSIS",   "COMMANDS",         "GLOBAL OPTIONS",  "EXIT STATUS",
        "run",          "validate",   "drivers",          "recover",         "halt",
        "proxy serve",  "report",     "remote",           "--journal-path",  "--no-version-check",
        "--change-dir", "--settings", "--log-file-level", "--no-verify-tls", "--busy-poll",
        "--forget",     "--address"}) {
    EXPECT_THAT(text, HasSubstr(s)) << s;
  }
  EXPECT_THAT(text, ::testing::Not(HasSubstr("\\e\\-")));
}

}  // namespace
}  // namespace chaosrun::usagetest
