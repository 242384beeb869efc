// Untrusted JSON: attribute values must be numbers and documents may not nest deeply; both are
// rejected, naming the field, before anything copies (and so recurses into) the value. Also the
// `noop` toxic.
#include <gtest/gtest.h>

#include <string>

#include "proxy/engine.h"
#include "proxy/toxic_math.h"
#include "proxy/toxic_params.h"

namespace chaosrun::proxy {
namespace {

// An array nested `depth` levels, as text (parsing and destroying are iterative in nlohmann
// 3.11; copying is not, which is what the checks must prevent).
std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

constexpr size_t kDeep = 200000;  // far beyond what a recursive copy survives on a thread stack

TEST(UntrustedJsonTest, DeeplyNestedAttributeIsRejectedNamingTheField) {
  Json j = Json::parse(R"({"type":"latency","attributes":{"latency":)" + Nested(kDeep) + "}}");
  auto r = ToxicFromJson(j);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "toxic.attributes: nested deeper than 8 levels");
}

TEST(UntrustedJsonTest, NonNumberAttributeValuesAreRejectedNamingTheField) {
  for (const char* value : {R"({"a":1})", "[1]", R"("100")", "true"}) {
    Json j =
        Json::parse(std::string(R"({"type":"latency","attributes":{"latency":)") + value + "}}");
    auto r = ToxicFromJson(j);
    ASSERT_FALSE(r.has_value()) << value;
    EXPECT_EQ(r.error().message(), "attributes.latency: must be a non-negative integer") << value;
  }
  EXPECT_EQ(CheckAttributeValues(Json::parse("[]")).message(), "attributes: must be an object");
  EXPECT_TRUE(CheckAttributeValues(Json()).ok());
  EXPECT_TRUE(CheckAttributeValues(Json::parse(R"({"latency":1.5,"jitter":-1})")).ok());
}

TEST(UntrustedJsonTest, NestingLimitIsExactAndNamesTheMember) {
  // {"x": [[...]]}: the object is level 1, the outer array level 2.
  auto doc = [](size_t arrays) { return Json::parse(R"({"x":)" + Nested(arrays) + "}"); };
  EXPECT_TRUE(CheckNesting(doc(kMaxJsonDepth - 1), "proxy").ok());
  Status s = CheckNesting(doc(kMaxJsonDepth), "proxy");
  EXPECT_EQ(s.message(), "proxy.x: nested deeper than 8 levels");
  EXPECT_FALSE(CheckNesting(Json::parse(Nested(kMaxJsonDepth + 1)), "toxic").ok());
  EXPECT_TRUE(CheckNesting(Json(5), "toxic").ok());
}

TEST(UntrustedJsonTest, ProxyFromJsonRejectsDeepMembers) {
  Json j = Json::parse(R"({"name":"p","upstream":"127.0.0.1:1","extra":)" + Nested(kDeep) + "}");
  auto r = ProxyFromJson(j);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "proxy.extra: nested deeper than 8 levels");
}

TEST(UntrustedJsonTest, EngineRejectsDeepSpecsAndPatchesBeforeCopying) {
  Engine engine(Engine::Options{.threads = 1, .seed = 1});
  ToxicSpec spec;
  spec.type = "latency";
  spec.attributes = Json::parse(R"({"latency":)" + Nested(kDeep) + "}");
  auto added = engine.AddToxic("none", spec);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().message(), "attributes.latency: must be a non-negative integer");

  Json patch = Json::parse(R"({"attributes":{"latency":)" + Nested(kDeep) + "}}");
  auto updated = engine.UpdateToxic("none", "t", patch);
  ASSERT_FALSE(updated.has_value());
  EXPECT_EQ(updated.error().message(), "toxic.attributes: nested deeper than 8 levels");
  auto shallow = engine.UpdateToxic("none", "t", Json::parse(R"({"toxicity":[1]})"));
  ASSERT_FALSE(shallow.has_value());
  EXPECT_EQ(shallow.error().message(), "toxicity: must be a number");

  Json proxy_patch = Json::parse(R"({"listen":)" + Nested(kDeep) + "}");
  auto proxy = engine.UpdateProxy("none", proxy_patch);
  ASSERT_FALSE(proxy.has_value());
  EXPECT_EQ(proxy.error().message(), "proxy.listen: nested deeper than 8 levels");
}

TEST(NoopToxicTest, ParsesWithoutAttributesAndRejectsAny) {
  auto t = ToxicFromJson(Json{{"type", "noop"}});
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_EQ(t->name, "noop_downstream");
  EXPECT_EQ(ToxicToJson(*t)["attributes"], Json::object());
  auto bad = ToxicFromJson(Json{{"type", "noop"}, {"attributes", {{"latency", 1}}}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "attributes.latency: unknown attribute of noop");
}

TEST(NoopToxicTest, PlansAnImmediateWholeSendAndDoesNotCountAsApplying) {
  ToxicRuntime noop;
  noop.params.type = ToxicType::kNoop;
  noop.applies = true;
  const SteadyTime now = SteadyTime{} + std::chrono::hours(1);
  Rng rng(1);
  ToxicRuntime toxics[] = {noop};
  Plan p =
      PlanHead(toxics, HeadChunk{now - std::chrono::milliseconds(3), 1234, false, {}}, now, rng);
  EXPECT_EQ(p.kind, Plan::Kind::kSend);
  EXPECT_EQ(p.bytes, 1234u);
  EXPECT_LE(p.at, now);
  EXPECT_FALSE(AnyApplies(toxics));
  EXPECT_FALSE(EarliestDeadline(toxics).has_value());
}

}  // namespace
}  // namespace chaosrun::proxy
