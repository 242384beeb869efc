// The python bridge with a real Python 3 (the system's) and the test modules of
// tests/integration/python/modules: every JSON type, exceptions as data, timeouts and
// cancellation kill and restart it, a bridge that dies mid-call, configuration and secrets
// injection, prints that stay off the protocol, the interpreter's choice, the interrupt event.
#include "providers/python_bridge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "providers/provider.h"
#include "support/temp_dir.h"

namespace chaosrun::providers {
namespace {

using End = BridgeReply::End;
using ::testing::HasSubstr;

std::string Interpreter() {
  // The system's interpreter where there is one: a shim first on the PATH may take seconds.
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "";
}

PythonSettings Settings() {
  PythonSettings s;
  s.interpreter = Interpreter();
  s.bridge_script = std::string(CHAOSRUN_SOURCE_DIR) + "/share/chaosrun/bridge.py";
  return s;
}

class PythonBridgeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string modules = CHAOSRUN_SOURCE_DIR;  // appended, not `+`: GCC 12's -Warray-bounds
    modules += "/tests/integration/python/modules";
    ::setenv("PYTHONPATH", modules.c_str(), 1);
  }
  BridgeReply CallFunc(const std::string& func, Json arguments = Json::object(),
                       std::optional<std::chrono::nanoseconds> timeout = std::nullopt) {
    Json provider = {
        {"type", "python"}, {"module", "pyfuncs"}, {"func", func}, {"arguments", arguments}};
    return bridge_.Call(PythonCallRequest(provider, nullptr, nullptr), CancelToken(), timeout);
  }
  PythonBridge bridge_{Settings()};
  chaosrun::testing::TempDir tmp_;
};

TEST_F(PythonBridgeTest, ReturnsEveryJsonTypeAndConvertsTheRest) {
  const std::pair<const char*, Json> cases[] = {
      {"null", nullptr},
      {"bool", true},
      {"int", 42},
      {"float", 2.5},
      {"string", "héllo"},
      {"list", Json::array({1, "two", nullptr, false})},
      {"object", {{"a", {{"b", {1, 2}}}}}},
      {"tuple", Json::array({1, 2})},
      {"set", Json::array({3})},
      {"bytes", "raw"},
      {"other", "opaque thing"},
  };
  for (const auto& [kind, expected] : cases) {
    BridgeReply r = CallFunc("value", {{"kind", kind}});
    ASSERT_EQ(r.end, End::kOk) << kind << ": " << r.error;
    EXPECT_EQ(r.result, expected) << kind;
  }
  EXPECT_EQ(bridge_.starts(), 1);  // one bridge for every call
}

TEST_F(PythonBridgeTest, AnExceptionIsDataWithTheReferencesLines) {
  BridgeReply r = CallFunc("boom", {{"message", "no luck"}});
  ASSERT_EQ(r.end, End::kRaised);
  EXPECT_EQ(r.error, "ValueError: no luck");
  ASSERT_GE(r.traceback.size(), 3u);
  EXPECT_EQ(r.traceback.front(), "Traceback (most recent call last):\n");
  EXPECT_EQ(r.traceback.back(), "ValueError: no luck\n");
  for (const std::string& line : r.traceback)
    EXPECT_THAT(line, ::testing::Not(HasSubstr("bridge.py")));
  EXPECT_FALSE(r.interrupt);
  // Through the provider: a failed activity with those lines.
  Json provider = {{"type", "python"}, {"module", "pyfuncs"}, {"func", "boom"}};
  Outcome o = RunPython(provider, Context{CancelToken(), &bridge_, nullptr, nullptr});
  EXPECT_EQ(o.kind, Outcome::Kind::kFailed);
  EXPECT_EQ(o.error, "ValueError: it broke");
  EXPECT_EQ(o.traceback.back(), "ValueError: it broke\n");
}

TEST_F(PythonBridgeTest, InterruptExecutionIsRecognised) {
  BridgeReply r = CallFunc("interrupt");
  ASSERT_EQ(r.end, End::kRaised);
  EXPECT_TRUE(r.interrupt);
  EXPECT_EQ(r.error, "chaoslib.exceptions.InterruptExecution: an activity asked to stop");
}

TEST_F(PythonBridgeTest, PrintsDoNotCorruptTheProtocol) {
  BridgeReply r = CallFunc("noisy");
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, "quiet");
}

TEST_F(PythonBridgeTest, ATimeoutKillsTheCallAndTheNextCallRestarts) {
  const std::string marker = (tmp_.path() / "pid").string();
  BridgeReply r = CallFunc("mark_and_hang", {{"path", marker}}, std::chrono::milliseconds(300));
  EXPECT_EQ(r.end, End::kTimedOut);
  r = CallFunc("plain", {{"a", 1}});
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, 3);
  EXPECT_EQ(bridge_.starts(), 2);
  // The hung bridge is gone (killed and reaped with its process group).
  std::ifstream in(marker);
  int hung = 0;
  ASSERT_TRUE(in >> hung);
  EXPECT_NE(hung, bridge_.pid());
  EXPECT_NE(::kill(hung, 0), 0);
}

TEST_F(PythonBridgeTest, CancellationInterruptsTheCall) {
  const std::string marker = (tmp_.path() / "pid").string();
  CancelSource cancel;
  std::thread canceller([&] {
    // Cancel once the function runs (the marker exists); capped, never timed.
    for (int i = 0; i < 20000 && !std::filesystem::exists(marker); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    cancel.Cancel("test");
  });
  Json provider = {{"type", "python"},
                   {"module", "pyfuncs"},
                   {"func", "mark_and_hang"},
                   {"arguments", {{"path", marker}}}};
  Outcome o = RunPython(provider, Context{cancel.token(), &bridge_, nullptr, nullptr});
  canceller.join();
  EXPECT_EQ(o.kind, Outcome::Kind::kInterrupted);
  EXPECT_TRUE(std::filesystem::exists(marker));
}

TEST_F(PythonBridgeTest, ABridgeThatDiesFailsTheCallAndIsRestarted) {
  BridgeReply r = CallFunc("die");
  EXPECT_EQ(r.end, End::kFailed);
  EXPECT_THAT(r.error, HasSubstr("died during the call"));
  r = CallFunc("plain", {{"a", 2}, {"b", 3}});
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, 5);
  EXPECT_EQ(bridge_.starts(), 2);
}

TEST_F(PythonBridgeTest, ConfigurationAndSecretsOnlyWhenDeclared) {
  const Json configuration = {{"c", 1}};
  const Json secrets = {
      {"s1", {{"k", "v1"}, {"o", "x"}}}, {"s2", {{"k", "v2"}}}, {"s3", {{"z", 0}}}};
  auto call = [&](const std::string& func, Json extra = Json::object()) {
    Json provider = {{"type", "python"}, {"module", "pyfuncs"}, {"func", func}};
    provider.update(extra);
    return bridge_.Call(PythonCallRequest(provider, &configuration, &secrets), CancelToken());
  };
  BridgeReply r = call("with_configuration");
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result["configuration"], configuration);
  // Secrets only to a function declaring them and only the scopes listed, merged (later wins).
  r = call("with_secrets", {{"secrets", {"s1", "s2"}}});
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result["secrets"], (Json{{"k", "v2"}, {"o", "x"}}));
  r = call("with_secrets");  // not listed: not passed (the function's parameter is missing)
  EXPECT_EQ(r.end, End::kRaised);
  EXPECT_THAT(r.error, HasSubstr("secrets"));
  r = call("plain", {{"arguments", {{"a", 1}}}, {"secrets", {"s1"}}});  // declares neither
  ASSERT_EQ(r.end, End::kOk) << r.error;
  EXPECT_EQ(r.result, 3);
}

TEST_F(PythonBridgeTest, ValidateUsesTheReferencesMessages) {
  auto validate = [&](const std::string& module, const std::string& func, Json args) {
    Json request = {{"op", "validate"},  {"module", module},       {"func", func},
                    {"arguments", args}, {"activity_name", "act"}, {"activity_type", "probe"}};
    BridgeReply r = bridge_.Call(request, CancelToken());
    EXPECT_EQ(r.end, End::kOk) << r.error;
    return r.result;
  };
  EXPECT_EQ(validate("nope_nope", "f", Json::object()),
            "could not find Python module 'nope_nope' in activity 'act'");
  EXPECT_EQ(validate("pyfuncs", "zzz", Json::object()),
            "The python module 'pyfuncs' does not expose a function called 'zzz' in probe 'act'");
  EXPECT_EQ(validate("pyfuncs", "plain", Json::object()),
            "required argument 'a' is missing from activity 'plain'");
  EXPECT_EQ(validate("pyfuncs", "plain", {{"a", 1}, {"q", 2}}),
            "argument 'q' is not part of the function signature in activity 'plain'");
  EXPECT_EQ(validate("pyfuncs", "with_both", Json::object()), nullptr);
  EXPECT_EQ(validate("os.path", "exists", {{"path", "/"}}), nullptr);
}

TEST_F(PythonBridgeTest, SigusrInTheBridgeReachesTheInterruptHandler) {
  std::promise<void> got;
  std::once_flag once;
  bool harsh = true;
  std::string reason;
  bridge_.SetInterruptHandler([&](bool h, const std::string& why) {
    std::call_once(once, [&] {
      harsh = h;
      reason = why;
      got.set_value();
    });
  });
  BridgeReply r = CallFunc("graceful");
  ASSERT_EQ(r.end, End::kOk) << r.error;
  // A cap, not a measurement: the event follows the signal at once.
  ASSERT_EQ(got.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_FALSE(harsh);
  EXPECT_EQ(reason, "the python bridge received SIGUSR1");
}

TEST(PythonInterpreter, FlagThenEnvironmentThenPath) {
  PythonSettings s;
  s.interpreter = "/bin/sh";  // --python wins over CHAOSRUN_PYTHON
  ::setenv("CHAOSRUN_PYTHON", "/bin/true", 1);
  EXPECT_EQ(*ResolvePythonInterpreter(s), "/bin/sh");
  s.interpreter.clear();
  EXPECT_EQ(*ResolvePythonInterpreter(s), "/bin/true");
  ::setenv("CHAOSRUN_PYTHON", "/nonexistent/python3", 1);
  auto bad = ResolvePythonInterpreter(s);
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("'/nonexistent/python3' (CHAOSRUN_PYTHON)"));
  ::unsetenv("CHAOSRUN_PYTHON");
}

TEST(PythonInterpreter, NoPythonIsAFailedCallNotAStart) {
  PythonSettings s = Settings();
  s.interpreter = "/nonexistent/python3";
  PythonBridge bridge(s);
  BridgeReply r = bridge.Call({{"op", "ping"}}, CancelToken());
  EXPECT_EQ(r.end, End::kFailed);
  EXPECT_THAT(r.error, HasSubstr("no Python interpreter"));
  EXPECT_EQ(bridge.starts(), 0);
}

}  // namespace
}  // namespace chaosrun::providers
