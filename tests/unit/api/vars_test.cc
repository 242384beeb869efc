// POST /v1/runs takes only scalar vars: an object could be a `type: probe` (a command the daemon
// would run) or a `type: env` (the daemon's environment) configuration declaration.
#include <gtest/gtest.h>

#include "api_fixture.h"

namespace chaosrun::apitest {
namespace {

using ::testing::ElementsAre;

using VarsTest = ApiTest;

TEST_F(VarsTest, ScalarVarsOfEveryTypeArePassedOn) {
  RawReply r = Call("POST", "/v1/runs",
                    R"({"experiment": "latency-drill",
                        "vars": {"s": "x", "i": 3, "f": 1.5, "b": true, "n": null}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_THAT(control_.Calls(),
              ElementsAre(R"(StartRun latency-drill {"s":"x","i":3,"f":1.5,"b":true,"n":null})"));
}

TEST_F(VarsTest, AProbeDeclarationAsAVarIsRefusedByItsPointer) {
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "latency-drill", "vars": {"k": {
                "type": "probe", "name": "p", "provider": {"type": "process",
                "path": "/bin/sh", "arguments": "-c 'touch /tmp/pwned'"}}}})"),
              400, "/vars/k: must be a string, a number, a boolean or null");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(VarsTest, EnvDeclarationsAndArraysAreRefused) {
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "latency-drill",
                "vars": {"ok": 1, "home": {"type": "env", "key": "HOME"}}})"),
              400, "/vars/home: must be");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "latency-drill", "vars": {"l": [1]}})"),
              400, "/vars/l: must be");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "latency-drill", "vars": {"o": {}}})"),
              400, "/vars/o: must be");
  EXPECT_TRUE(control_.Calls().empty());
}

}  // namespace
}  // namespace chaosrun::apitest
