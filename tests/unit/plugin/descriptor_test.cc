// ParseDescriptor: what a driver's descriptor must look like before the host trusts it.
#include <gtest/gtest.h>

#include <string>

#include "plugin/driver.h"

namespace chaosrun::plugin {
namespace {

// Expects the descriptor to be refused with a message containing `fragment`.
void ExpectRefused(const std::string& text, const std::string& fragment) {
  auto d = ParseDescriptor(text);
  ASSERT_FALSE(d.has_value()) << "accepted: " << text;
  EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
  EXPECT_NE(d.error().message().find(fragment), std::string::npos)
      << "message: " << d.error().message();
}

TEST(ParseDescriptor, AcceptsACompleteDescriptor) {
  auto d = ParseDescriptor(R"({
    "name": "process", "version": "1.2.3", "description": "kills things",
    "actions": [{"name": "kill", "description": "send a signal",
                 "arguments": {"type": "object", "required": ["pid"]}},
                {"name": "stop"}],
    "probes": [{"name": "running", "arguments": {"type": "object"}}],
    "x-extra": {"kept": true}})");
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(d->name, "process");
  EXPECT_EQ(d->version, "1.2.3");
  EXPECT_EQ(d->description, "kills things");
  ASSERT_EQ(d->actions.size(), 2u);
  EXPECT_EQ(d->actions[0].name, "kill");
  EXPECT_EQ(d->actions[0].description, "send a signal");
  EXPECT_EQ(d->actions[0].arguments_schema, Json::parse(R"({"type":"object","required":["pid"]})"));
  // No "arguments": an empty schema, which accepts anything.
  EXPECT_EQ(d->actions[1].arguments_schema, Json::object());
  ASSERT_EQ(d->probes.size(), 1u);
  EXPECT_EQ(d->probes[0].name, "running");
  // Unknown keys are kept in raw (for `chaosrun drivers --json`).
  EXPECT_EQ(d->raw["x-extra"]["kept"], true);
}

TEST(ParseDescriptor, FindsActionsAndProbesSeparately) {
  auto d = ParseDescriptor(R"({"name": "n", "version": "1",
                               "actions": [{"name": "only_action"}],
                               "probes": [{"name": "only_probe", "description": "the probe"}]})");
  ASSERT_TRUE(d.has_value()) << d.error().message();
  ASSERT_NE(d->FindAction("only_action"), nullptr);
  EXPECT_EQ(d->FindProbe("only_action"), nullptr);
  ASSERT_NE(d->FindProbe("only_probe"), nullptr);
  EXPECT_EQ(d->FindProbe("only_probe")->description, "the probe");
  EXPECT_EQ(d->FindAction("missing"), nullptr);
  EXPECT_EQ(d->FindProbe(""), nullptr);
}

TEST(ParseDescriptor, ANameDeclaredTwiceIsRefused) {
  // An experiment names a func without saying whether it is an action or a probe.
  auto d = ParseDescriptor(R"({"name": "n", "version": "1",
                               "actions": [{"name": "same"}], "probes": [{"name": "same"}]})");
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message().find("'same' twice"), std::string::npos);
}

TEST(ParseDescriptor, ActionsAndProbesAreOptional) {
  auto d = ParseDescriptor(R"({"name": "bare", "version": "0.1"})");
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_TRUE(d->actions.empty());
  EXPECT_TRUE(d->probes.empty());
  EXPECT_EQ(d->description, "");
}

TEST(ParseDescriptor, RefusesTextThatIsNotJson) {
  ExpectRefused("", "not valid JSON");
  ExpectRefused("{\"name\": \"x\",", "not valid JSON");
  ExpectRefused("name: x", "not valid JSON");
}

TEST(ParseDescriptor, RefusesJsonThatIsNotAnObject) {
  ExpectRefused("[]", "must be a JSON object");
  ExpectRefused("\"example\"", "must be a JSON object");
  ExpectRefused("null", "must be a JSON object");
}

TEST(ParseDescriptor, NeedsANonEmptyStringNameAndVersion) {
  ExpectRefused(R"({"version": "1.0.0"})", "non-empty string name");
  ExpectRefused(R"({"name": "", "version": "1.0.0"})", "non-empty string name");
  ExpectRefused(R"({"name": 7, "version": "1.0.0"})", "non-empty string name");
  ExpectRefused(R"({"name": "x"})", "non-empty string version");
  ExpectRefused(R"({"name": "x", "version": 1})", "non-empty string version");
}

TEST(ParseDescriptor, ChecksTheShapeOfActionAndProbeLists) {
  const std::string head = R"({"name": "x", "version": "1", )";
  ExpectRefused(head + R"("actions": {"kill": {}}})", "actions must be a list");
  ExpectRefused(head + R"("probes": "running"})", "probes must be a list");
  ExpectRefused(head + R"("actions": [{"name": "a"}, {"description": "no name"}]})",
                "actions[1] needs a non-empty string name");
  ExpectRefused(head + R"("probes": ["running"]})", "probes[0] needs a non-empty string name");
  ExpectRefused(head + R"("probes": [{"name": ""}]})", "probes[0] needs a non-empty string name");
  ExpectRefused(head + R"("actions": [{"name": "a", "arguments": ["path"]}]})",
                "actions[0].arguments must be a JSON Schema object");
}

}  // namespace
}  // namespace chaosrun::plugin
