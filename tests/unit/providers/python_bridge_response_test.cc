// The host side of the python bridge against a stand-in (python_standin_bridge.py) that answers
// exactly the lines a test gives it: a bridge response is untrusted input, so a member of the
// wrong type fails that call with a reason naming the member (Call never throws), a malformed
// interrupt event still interrupts, a response chaosrun cannot handle (an id of the wrong type,
// a throwing interrupt handler) fails every waiting call at once (none hangs) and the next call
// starts a new bridge. A real Python process over the
// real FIFOs; no mocks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "providers/python_bridge.h"

namespace chaosrun::providers {
namespace {

using End = BridgeReply::End;
using ::testing::HasSubstr;

// A cap, never reached when the code is right: every call here is answered or failed at once.
constexpr auto kCap = std::chrono::seconds(60);

class PythonBridgeResponseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  }
  void TearDown() override { ::unsetenv("STANDIN_READY"); }
  static PythonSettings StandIn() {
    PythonSettings s;
    s.interpreter = "/usr/bin/python3";
    s.bridge_script =
        std::string(CHAOSRUN_SOURCE_DIR) + "/tests/unit/providers/python_standin_bridge.py";
    return s;
  }
  // Asks the stand-in to answer with `lines` ("{id}" is the call's id).
  BridgeReply Answer(PythonBridge& bridge, std::vector<std::string> lines) {
    return bridge.Call(Json{{"op", "echo"}, {"lines", lines}}, CancelToken(), kCap);
  }
};

TEST_F(PythonBridgeResponseTest, AWellFormedResponseIsTheReply) {
  PythonBridge bridge(StandIn());
  BridgeReply r = Answer(bridge, {R"({"id": {id}, "ok": true, "result": {"a": [1]}})"});
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, (Json{{"a", {1}}}));
  r = Answer(
      bridge,
      {R"({"id": {id}, "ok": false, "error": "E: x", "traceback": ["t\n"], "interrupt": true})"});
  ASSERT_EQ(r.end, End::kRaised) << r.error;
  EXPECT_EQ(r.error, "E: x");
  EXPECT_EQ(r.traceback, std::vector<std::string>{"t\n"});
  EXPECT_TRUE(r.interrupt);
}

TEST_F(PythonBridgeResponseTest, AMemberOfTheWrongTypeFailsTheCallNamingIt) {
  PythonBridge bridge(StandIn());
  const std::pair<const char*, const char*> cases[] = {
      {R"({"id": {id}, "result": 1})", "it has no `ok`"},
      {R"({"id": {id}, "ok": "yes", "result": 1})", "`ok` is string, not a boolean"},
      {R"({"id": {id}, "ok": 1})", "`ok` is number, not a boolean"},
      {R"({"id": {id}, "ok": false, "error": 7})", "`error` is number, not a string"},
      {R"({"id": {id}, "ok": false, "error": "E: x", "interrupt": "no"})",
       "`interrupt` is string, not a boolean"},
      {R"({"id": {id}, "ok": false, "error": "E: x", "traceback": "line"})",
       "`traceback` is string, not a list of strings"},
      {R"({"id": {id}, "ok": false, "error": "E: x", "traceback": ["a", 2]})",
       "`traceback` holds number, not only strings"},
  };
  for (const auto& [line, reason] : cases) {
    BridgeReply r = Answer(bridge, {line});
    EXPECT_EQ(r.end, End::kFailed) << line;
    EXPECT_THAT(r.error, HasSubstr("the python bridge sent a malformed response")) << line;
    EXPECT_THAT(r.error, HasSubstr(reason)) << line;
  }
  // Each failed only its call: the same bridge answers the next one.
  BridgeReply r = Answer(bridge, {R"({"id": {id}, "ok": true})"});
  EXPECT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, nullptr);
  EXPECT_EQ(bridge.starts(), 1);
}

TEST_F(PythonBridgeResponseTest, LinesThatAnswerNoCallAreIgnored) {
  PythonBridge bridge(StandIn());
  BridgeReply r = Answer(bridge, {"not json", "[1, 2]", R"({"ok": true, "result": "no id"})",
                                  R"({"id": 999999, "ok": true})",
                                  R"({"id": {id}, "ok": true, "result": "the real one"})"});
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, "the real one");
  EXPECT_EQ(bridge.starts(), 1);
}

TEST_F(PythonBridgeResponseTest, AnIdOfTheWrongTypeFailsTheWaitingCallsAtOnce) {
  for (const char* line : {R"({"id": "{id}", "ok": true})", R"({"id": -1, "ok": true})",
                           R"({"id": 1.5, "ok": true})"}) {
    PythonBridge bridge(StandIn());
    // Only that line is sent: the call ends because the bridge is killed, not by the cap.
    BridgeReply r = Answer(bridge, {line});
    EXPECT_EQ(r.end, End::kFailed) << line;
    EXPECT_THAT(r.error, HasSubstr("chaosrun could not handle a response of the python bridge: "
                                   "a response whose id is "))
        << line;
    r = Answer(bridge, {R"({"id": {id}, "ok": true, "result": 1})"});
    EXPECT_EQ(r.end, End::kOk) << line << ": " << r.error;  // a new bridge
    EXPECT_EQ(bridge.starts(), 2) << line;
  }
}

TEST_F(PythonBridgeResponseTest, AMalformedInterruptEventStillInterrupts) {
  PythonBridge bridge(StandIn());
  std::vector<std::pair<bool, std::string>> seen;
  bridge.SetInterruptHandler(
      [&](bool harsh, const std::string& why) { seen.emplace_back(harsh, why); });
  BridgeReply r = Answer(bridge, {R"({"event": "interrupt", "signal": 5, "reason": [1]})",
                                  R"({"event": "interrupt", "signal": "SIGUSR2", "reason": "r"})",
                                  R"({"event": 3})", R"({"id": {id}, "ok": true})"});
  ASSERT_EQ(r.end, End::kOk) << r.error;
  // The reply comes after the events on the same reader thread: both were handled before it.
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(false, std::string("the python bridge asked")));
  EXPECT_EQ(seen[1], std::make_pair(true, std::string("r")));
}

TEST_F(PythonBridgeResponseTest, AResponseChaosrunCannotHandleFailsTheCallAtOnce) {
  PythonBridge bridge(StandIn());
  bridge.SetInterruptHandler(
      [](bool, const std::string&) { throw std::runtime_error("the handler broke"); });
  // The call is never answered: only the reader's failure can end it before the cap.
  BridgeReply r = Answer(bridge, {R"({"event": "interrupt", "signal": "SIGUSR1"})"});
  EXPECT_EQ(r.end, End::kFailed) << r.error;
  EXPECT_THAT(r.error, HasSubstr("chaosrun could not handle a response of the python bridge: "
                                 "the handler broke"));
  // The bridge is dead; the next call starts another.
  bridge.SetInterruptHandler([](bool, const std::string&) {});
  r = Answer(bridge, {R"({"id": {id}, "ok": true, "result": 2})"});
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, 2);
  EXPECT_EQ(bridge.starts(), 2);
}

TEST_F(PythonBridgeResponseTest, AReadyLineOfTheWrongTypeIsAFailedStart) {
  ::setenv("STANDIN_READY", R"({"event": 5})", 1);
  PythonBridge bridge(StandIn());
  BridgeReply r = Answer(bridge, {R"({"id": {id}, "ok": true})"});
  EXPECT_EQ(r.end, End::kFailed);
  EXPECT_THAT(r.error, HasSubstr("the python bridge did not say it was ready"));
}

}  // namespace
}  // namespace chaosrun::providers
