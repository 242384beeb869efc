// `chaosrun recover` flags: --force, --list [--json], --forget ID, and what may not combine.
#include <gtest/gtest.h>

#include "cli/args.h"

namespace chaosrun::cli {
namespace {

TEST(RecoverArgs, FlagsParse) {
  auto a = ParseArgs({"recover", "--force", "--state-dir", "/s"});
  ASSERT_TRUE(a.has_value()) << a.error().message();
  EXPECT_EQ(a->command, Command::kRecover);
  EXPECT_TRUE(a->force);
  EXPECT_FALSE(a->list);
  a = ParseArgs({"recover", "--list", "--json"});
  ASSERT_TRUE(a.has_value()) << a.error().message();
  EXPECT_TRUE(a->list);
  EXPECT_TRUE(a->json_output);
  a = ParseArgs({"recover", "--forget=123-4-5"});
  ASSERT_TRUE(a.has_value()) << a.error().message();
  EXPECT_EQ(a->forget_id, "123-4-5");
}

TEST(RecoverArgs, WhatDoesNotCombineIsAUsageErrorNamingTheFlag) {
  struct Case {
    std::vector<std::string> argv;
    std::string message;
  };
  for (const auto& c : std::vector<Case>{
           {{"recover", "--list", "--forget", "x"}, "--list and --forget"},
           {{"recover", "--force", "--list"}, "--force applies only to undoing"},
           {{"recover", "--force", "--forget", "x"}, "--force applies only to undoing"},
           {{"recover", "--json"}, "--json applies only to `chaosrun recover --list`"},
           {{"recover", "--forget", ""}, "--forget needs a fault id"},
           {{"recover", "--forget"}, "--forget needs a value"},
           {{"halt", "--force"}, "no such option: --force"},
           {{"run", "x.json", "--list"}, "no such option: --list"},
       }) {
    auto a = ParseArgs(c.argv);
    ASSERT_FALSE(a.has_value()) << c.message;
    EXPECT_NE(a.error().message().find(c.message), std::string::npos) << a.error().message();
  }
}

TEST(RecoverArgs, HelpNamesTheFlagsAndExitCodes) {
  std::string h = HelpText("recover");
  for (const char* s : {"--force", "--list", "--json", "--forget ID", "Exit codes"}) {
    EXPECT_NE(h.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace chaosrun::cli
