// CheckAgainstSchema: driver arguments checked against the descriptor's JSON Schema, with each
// problem located by a JSON pointer into the experiment.
#include "plugin/schema.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace chaosrun::plugin {
namespace {

using Problems = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kBase = "/method/0/provider/arguments";

Problems Check(const char* schema, const char* value, const std::string& base = kBase) {
  return CheckAgainstSchema(Json::parse(schema), Json::parse(value), base);
}

std::string Show(const Problems& ps) {
  std::string out;
  for (const auto& [pointer, reason] : ps) out += pointer + ": " + reason + "\n";
  return out;
}

// True if some problem is reported at exactly `pointer`.
bool HasPointer(const Problems& ps, const std::string& pointer) {
  for (const auto& p : ps) {
    if (p.first == pointer) return true;
  }
  return false;
}

constexpr const char* kKillSchema = R"({
  "type": "object",
  "properties": {
    "pids": {"type": "array", "items": {"type": "integer", "minimum": 2}},
    "signal": {"enum": ["SIGTERM", "SIGKILL", "SIGSTOP"]},
    "count": {"type": "integer"},
    "target": {"type": "object",
               "properties": {"name": {"type": "string"}},
               "required": ["name"], "additionalProperties": false}
  },
  "required": ["signal"],
  "additionalProperties": false
})";

TEST(CheckAgainstSchema, AcceptsAValidValue) {
  auto ps = Check(kKillSchema, R"({"pids": [42, 43], "signal": "SIGKILL",
                                   "target": {"name": "redis"}})");
  EXPECT_TRUE(ps.empty()) << Show(ps);
}

TEST(CheckAgainstSchema, AnEmptySchemaAcceptsAnything) {
  EXPECT_TRUE(Check("{}", R"({"anything": [1, "two", null]})").empty());
  EXPECT_TRUE(Check("{}", "null").empty());
}

TEST(CheckAgainstSchema, MissingRequiredPropertyIsReportedAtTheObject) {
  auto ps = Check(kKillSchema, R"({"pids": [42]})");
  ASSERT_EQ(ps.size(), 1u) << Show(ps);
  EXPECT_EQ(ps[0].first, kBase);
  EXPECT_NE(ps[0].second.find("signal"), std::string::npos) << Show(ps);
}

TEST(CheckAgainstSchema, WrongTypeIsReportedAtTheProperty) {
  auto ps = Check(kKillSchema, R"({"signal": "SIGTERM", "count": "three"})");
  ASSERT_FALSE(ps.empty());
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/count")) << Show(ps);
  EXPECT_FALSE(HasPointer(ps, "/method/0/provider/arguments/signal")) << Show(ps);
}

TEST(CheckAgainstSchema, WrongTypeOfTheWholeValue) {
  auto ps = Check(kKillSchema, R"(["SIGTERM"])");
  ASSERT_FALSE(ps.empty());
  EXPECT_TRUE(HasPointer(ps, kBase)) << Show(ps);
}

TEST(CheckAgainstSchema, AdditionalPropertyIsRefused) {
  auto ps = Check(kKillSchema, R"({"signal": "SIGTERM", "sigal": "SIGKILL"})");
  ASSERT_FALSE(ps.empty());
  // Reported at the extra key, with the key it likely meant.
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/sigal")) << Show(ps);
  EXPECT_NE(Show(ps).find("did you mean 'signal'"), std::string::npos) << Show(ps);
}

TEST(CheckAgainstSchema, EnumMismatchIsReportedAtTheProperty) {
  auto ps = Check(kKillSchema, R"({"signal": "SIGFOO"})");
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(ps[0].first, "/method/0/provider/arguments/signal") << Show(ps);
  EXPECT_NE(ps[0].second.find("must be one of"), std::string::npos) << Show(ps);
}

TEST(CheckAgainstSchema, NestedArrayItemsAreLocatedByIndex) {
  auto ps = Check(kKillSchema, R"({"signal": "SIGTERM", "pids": [42, "x", 1]})");
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/pids/1")) << Show(ps);
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/pids/2")) << Show(ps);
  EXPECT_FALSE(HasPointer(ps, "/method/0/provider/arguments/pids/0")) << Show(ps);
}

TEST(CheckAgainstSchema, NestedObjectsAreLocatedByPath) {
  auto ps = Check(kKillSchema, R"({"signal": "SIGTERM", "target": {"name": 5}})");
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(ps[0].first, "/method/0/provider/arguments/target/name") << Show(ps);

  ps = Check(kKillSchema, R"({"signal": "SIGTERM", "target": {}})");
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(ps[0].first, "/method/0/provider/arguments/target") << Show(ps);
  EXPECT_NE(ps[0].second.find("name"), std::string::npos) << Show(ps);
}

TEST(CheckAgainstSchema, EveryProblemIsReported) {
  auto ps = Check(kKillSchema, R"({"signal": "SIGFOO", "count": 1.5, "pids": ["a"]})");
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/signal")) << Show(ps);
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/count")) << Show(ps);
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/pids/0")) << Show(ps);
}

TEST(CheckAgainstSchema, PointerTokensAreEscaped) {
  auto ps = Check(R"({"properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}}})",
                  R"({"a/b": 1, "c~d": 2})");
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/a~1b")) << Show(ps);
  EXPECT_TRUE(HasPointer(ps, "/method/0/provider/arguments/c~0d")) << Show(ps);
}

TEST(CheckAgainstSchema, PointersAreRootedAtTheGivenBase) {
  auto ps = Check(kKillSchema, R"({"signal": 1})", "/rollbacks/3/provider/arguments");
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(ps[0].first, "/rollbacks/3/provider/arguments/signal") << Show(ps);
  for (const auto& p : ps) EXPECT_EQ(p.first.rfind("/rollbacks/3/provider/arguments", 0), 0u);
  ps = Check(kKillSchema, R"({"signal": 1})", "");
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(ps[0].first, "/signal") << Show(ps);
}

// KNOWN BUG in src/plugin/schema.cc: valijson reports the failing keyword and then every
// enclosing schema ("Failed to validate against schema associated with property name 'signal'"
// at the parent object, and so on up to the root), and only entries at the *same* pointer are
// merged, so one mistake yields one problem per nesting level. Enable once ancestors of an
// already-reported pointer are dropped.
TEST(CheckAgainstSchema, OneMistakeIsOneProblem) {
  auto ps = Check(kKillSchema, R"({"signal": "SIGTERM", "target": {"name": 5}})");
  ASSERT_EQ(ps.size(), 1u) << Show(ps);
  EXPECT_EQ(ps[0].first, "/method/0/provider/arguments/target/name");
  ps = Check(kKillSchema, R"({"signal": "SIGFOO"})");
  ASSERT_EQ(ps.size(), 1u) << Show(ps);
}

// KNOWN BUG in src/plugin/schema.cc: valijson is compiled without VALIJSON_USE_EXCEPTIONS, so
// an invalid schema (here "type": 5) makes valijson print "JSON value is not a string." and call
// abort(); the try/catch around it never sees an exception. A driver whose descriptor holds such
// a schema (ParseDescriptor only checks that "arguments" is an object) crashes `chaosrun
// validate` and `run`. Enable once VALIJSON_USE_EXCEPTIONS is defined to 1 for schema.cc.
TEST(CheckAgainstSchema, AnInvalidSchemaIsAProblemNotACrash) {
  auto ps = Check(R"({"type": 5})", R"({"x": 1})");
  ASSERT_EQ(ps.size(), 1u) << Show(ps);
  EXPECT_EQ(ps[0].first, kBase);
  EXPECT_NE(ps[0].second.find("schema is invalid"), std::string::npos) << Show(ps);
}

}  // namespace
}  // namespace chaosrun::plugin
