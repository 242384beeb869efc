// Dispatch and malformed provider blocks: every problem is an Outcome, never an exception.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/provider.h"

namespace chaosrun::providers {
namespace {

using ::testing::HasSubstr;
using Kind = Outcome::Kind;

Outcome Dispatch(const char* provider_json) {
  BuiltinDispatcher d;
  return d.Run(Json::parse(R"({"name": "my-activity"})"), Json::parse(provider_json), Context{});
}

TEST(DispatcherTest, PythonProvidersNeedTheRunsBridge) {
  Outcome o = Dispatch(R"({"type": "python", "module": "os.path", "func": "exists"})");
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "python activities need the python bridge, which this run has not");
  EXPECT_TRUE(o.output.is_null());
  EXPECT_EQ(Dispatch(R"({"type": "python", "func": "exists"})").error,
            "a Python activity must have a module path");
}

TEST(DispatcherTest, UnknownAndMissingTypes) {
  Outcome o = Dispatch(R"({"type": "ruby"})");
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_THAT(o.error, HasSubstr("unknown provider type 'ruby'"));
  EXPECT_THAT(o.error, HasSubstr("my-activity"));
  EXPECT_EQ(Dispatch(R"({})").kind, Kind::kFailed);
  EXPECT_EQ(Dispatch(R"({"type": 3})").kind, Kind::kFailed);
  EXPECT_EQ(Dispatch(R"([1])").kind, Kind::kFailed);
  EXPECT_EQ(Dispatch(R"(null)").kind, Kind::kFailed);
}

TEST(DispatcherTest, MalformedProcessBlocksFailCleanly) {
  for (const char* p : {R"({"type": "process"})", R"({"type": "process", "path": 3})",
                        R"({"type": "process", "path": ""})",
                        R"({"type": "process", "path": "echo", "arguments": 5})",
                        R"({"type": "process", "path": "echo", "timeout": "soon"})"}) {
    Outcome o = Dispatch(p);
    EXPECT_EQ(o.kind, Kind::kFailed) << p;
    EXPECT_FALSE(o.error.empty()) << p;
  }
}

TEST(DispatcherTest, ProcessPathNotFound) {
  Outcome o = Dispatch(R"({"type": "process", "path": "no-such-binary-chaosrun-xyz"})");
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_EQ(o.error, "path 'no-such-binary-chaosrun-xyz' cannot be found");
}

TEST(DispatcherTest, MalformedHttpBlocksFailCleanly) {
  for (const char* p :
       {R"({"type": "http"})", R"({"type": "http", "url": 5})", R"({"type": "http", "url": ""})",
        R"({"type": "http", "url": "http://127.0.0.1:1/", "method": 1})",
        R"({"type": "http", "url": "http://127.0.0.1:1/", "headers": ["x"]})",
        R"({"type": "http", "url": "http://127.0.0.1:1/", "timeout": "x"})",
        R"({"type": "http", "url": "http://127.0.0.1:1/", "max_retries": "x"})",
        R"({"type": "http", "url": "http://127.0.0.1:1/", "expected_status": "x"})",
        R"({"type": "http", "url": "http://127.0.0.1:1/", "arguments": 7})"}) {
    Outcome o = Dispatch(p);
    EXPECT_EQ(o.kind, Kind::kFailed) << p;
    EXPECT_FALSE(o.error.empty()) << p;
  }
}

TEST(DispatcherTest, HttpRejectsNonHttpSchemes) {
  Outcome o = Dispatch(R"({"type": "http", "url": "file:///etc/passwd"})");
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_THAT(o.error, HasSubstr("file:///etc/passwd"));
}

}  // namespace
}  // namespace chaosrun::providers
