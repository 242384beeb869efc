// `validate --strict` (likely typos of known keys become errors) and where it does not apply.
#include <gtest/gtest.h>

#include "cli/args.h"

namespace chaosrun::cli {
namespace {

TEST(ValidateStrictArgs, OffByDefaultOnWithTheFlag) {
  auto plain = ParseArgs({"validate", "e.json"});
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->strict);
  auto strict = ParseArgs({"validate", "--strict", "e.json"});
  ASSERT_TRUE(strict.has_value());
  EXPECT_TRUE(strict->strict);
  EXPECT_EQ(strict->source, "e.json");
}

TEST(ValidateStrictArgs, OnlyForValidate) {
  for (const char* command : {"run", "drivers", "recover"}) {
    auto a = ParseArgs({command, "--strict"});
    ASSERT_FALSE(a.has_value()) << command;
    EXPECT_NE(a.error().message().find("--strict"), std::string::npos) << a.error().message();
  }
  EXPECT_FALSE(ParseArgs({"validate", "--strict=yes", "e.json"}).has_value());
}

TEST(ValidateStrictArgs, HelpNamesIt) {
  EXPECT_NE(HelpText("validate").find("--strict"), std::string::npos);
}

}  // namespace
}  // namespace chaosrun::cli
