// session::Validate: `chaosrun validate`'s pipeline (usage errors, load errors, diagnostics
// against the loaded drivers).
#include <gtest/gtest.h>

#include "session_fixture.h"

namespace chaosrun::session {
namespace {

class ValidateTest : public SessionTest {
 protected:
  ValidateRequest RequestFor(const Json& experiment) {
    ValidateRequest r;
    r.source = dir_.Write("experiment.json", DumpPretty(experiment));
    r.env = Env();
    return r;
  }
};

TEST_F(ValidateTest, AValidExperimentWithADriver) {
  ValidateOutcome out = Validate(RequestFor(Experiment("ok", Json::array({Fault("a")}))));
  EXPECT_TRUE(out.valid()) << out.error;
  EXPECT_TRUE(out.registry_errors.empty());
  EXPECT_EQ(out.diagnostics.size(), 0u);
}

TEST_F(ValidateTest, AnUnknownDriverFunctionNamesItsPointer) {
  Json fault = Fault("a");
  fault["provider"]["func"] = "no-such-func";
  ValidateOutcome out = Validate(RequestFor(Experiment("bad", Json::array({fault}))));
  EXPECT_FALSE(out.valid());
  EXPECT_FALSE(out.usage_error);
  ASSERT_FALSE(out.diagnostics.empty());
  EXPECT_EQ(out.diagnostics[0].pointer, "/method/0/provider/func");
  EXPECT_NE(out.diagnostics[0].message.find("no-such-func"), std::string::npos);
}

TEST_F(ValidateTest, ABadVarIsAUsageErrorAndAMissingFileIsNot) {
  ValidateRequest r = RequestFor(Experiment("ok", Json::array({Fault("a")})));
  r.vars = {"no-equals-sign"};
  ValidateOutcome bad_var = Validate(r);
  EXPECT_TRUE(bad_var.usage_error);
  EXPECT_FALSE(bad_var.valid());

  ValidateRequest missing;
  missing.source = PathOf("no-such-experiment.json");
  missing.env = Env();
  ValidateOutcome out = Validate(missing);
  EXPECT_FALSE(out.usage_error);
  EXPECT_FALSE(out.valid());
  EXPECT_NE(out.error.find("no-such-experiment.json"), std::string::npos) << out.error;
}

}  // namespace
}  // namespace chaosrun::session
