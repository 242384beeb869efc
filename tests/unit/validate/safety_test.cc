// chaosrun's additions: `blast-radius` and `safeguards` are checked like the rest.
#include <gtest/gtest.h>

#include "validate/validator.h"

namespace chaosrun::validate {
namespace {

std::vector<Diagnostic> Errors(const std::string& extra) {
  Json doc = Json::parse(R"({"title": "t", "description": "d", "method": [])" + extra + "}");
  Options o;
  std::vector<Diagnostic> out;
  for (auto& d : Validate(doc, o)) {
    if (!d.warning) out.push_back(d);
  }
  return out;
}

TEST(ValidateSafety, BlastRadiusUnknownKeysAndWrongTypes) {
  auto e = Errors(R"(, "blast-radius": {"allow": ["process:x/*"], "max-targets": "3",
                                         "radius": 1})");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].pointer, "/blast-radius/max-targets");
  EXPECT_EQ(e[1].pointer, "/blast-radius/radius");
  EXPECT_TRUE(Errors(R"(, "blast-radius": {"deny": ["unit:*"], "max-duration": 30})").empty());
  EXPECT_EQ(Errors(R"(, "blast-radius": [1])").size(), 1u);
}

TEST(ValidateSafety, SafeguardsNeedProbesWithTolerances) {
  const std::string probe =
      R"({"type": "probe", "name": "ok", "tolerance": 0,
          "provider": {"type": "process", "path": "true"}})";
  EXPECT_TRUE(Errors(R"(, "safeguards": {"frequency": 2, "probes": [)" + probe + "]}").empty());
  EXPECT_TRUE(Errors(R"(, "safeguards": [)" + probe + "]").empty());
  auto e = Errors(R"(, "safeguards": {"frequency": 0, "probes": [
      {"type": "probe", "name": "p", "provider": {"type": "process", "path": "true"}}],
      "every": 3})");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].pointer, "/safeguards/frequency");
  EXPECT_EQ(e[1].pointer, "/safeguards/probes/0/tolerance");
  EXPECT_EQ(e[2].pointer, "/safeguards/every");
  EXPECT_EQ(Errors(R"(, "safeguards": {"frequency": 1})")[0].pointer, "/safeguards/probes");
  EXPECT_EQ(Errors(R"(, "safeguards": "yes")")[0].pointer, "/safeguards");
}

}  // namespace
}  // namespace chaosrun::validate
