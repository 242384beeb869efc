#include "providers/process_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosrun::providers {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Argv(const char* json) {
  auto r = BuildProcessArgv("/bin/echo", Json::parse(json));
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? *r : std::vector<std::string>{};
}

TEST(ProcessArgsTest, AbsentArgumentsGiveJustThePath) {
  EXPECT_THAT(Argv("null"), ElementsAre("/bin/echo"));
}

TEST(ProcessArgsTest, ListElementsAreStringifiedLikePython) {
  EXPECT_THAT(Argv(R"(["a", 1, -2, 1.5, 2.0, true, false, "b c"])"),
              ElementsAre("/bin/echo", "a", "1", "-2", "1.5", "2.0", "True", "False", "b c"));
}

TEST(ProcessArgsTest, NullAndEmptyStringElementsAreDropped) {
  EXPECT_THAT(Argv(R"(["x", null, "", 0, " ", "last"])"),
              ElementsAre("/bin/echo", "x", "0", " ", "last"));
}

TEST(ProcessArgsTest, EmptyListGivesJustThePath) {
  EXPECT_THAT(Argv("[]"), ElementsAre("/bin/echo"));
}

TEST(ProcessArgsTest, NestedContainersBecomeCompactJson) {
  EXPECT_THAT(Argv(R"([[1,2], {"k":"v"}])"), ElementsAre("/bin/echo", "[1,2]", R"({"k":"v"})"));
}

TEST(ProcessArgsTest, StringArgumentsGoThroughTheShell) {
  EXPECT_THAT(Argv(R"("-n 'a b' > /dev/null")"),
              ElementsAre("/bin/sh", "-c", "/bin/echo -n 'a b' > /dev/null"));
}

TEST(ProcessArgsTest, DictArgumentsAreFlattenedInOrder) {
  EXPECT_THAT(Argv(R"({"--count": 3, "--name": "x", "--flag": null, "--b": true})"),
              ElementsAre("/bin/echo", "--count", "3", "--name", "x", "--flag", "--b", "True"));
}

TEST(ProcessArgsTest, OtherTypesAreRejected) {
  for (const char* bad : {"1", "true", "2.5"}) {
    auto r = BuildProcessArgv("/bin/echo", Json::parse(bad));
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_THAT(r.error().message(), ::testing::HasSubstr("must be a list, a string or an object"));
  }
}

TEST(ProcessArgsTest, TimeoutParsing) {
  EXPECT_EQ(ParseProcessTimeout(Json::parse(R"({})")).value(), std::nullopt);
  EXPECT_EQ(ParseProcessTimeout(Json::parse(R"({"timeout": null})")).value(), std::nullopt);
  EXPECT_EQ(ParseProcessTimeout(Json::parse(R"({"timeout": 3})")).value(), 3.0);
  EXPECT_EQ(ParseProcessTimeout(Json::parse(R"({"timeout": 0.25})")).value(), 0.25);
  EXPECT_FALSE(ParseProcessTimeout(Json::parse(R"({"timeout": "3"})")).has_value());
  EXPECT_FALSE(ParseProcessTimeout(Json::parse(R"({"timeout": true})")).has_value());
  EXPECT_FALSE(ParseProcessTimeout(Json::parse(R"({"timeout": [1]})")).has_value());
}

}  // namespace
}  // namespace chaosrun::providers
