// Argument checks: signals, selectors, count/percent/seed, restart; every bad shape is an
// error message, never an exception.
#include "process/args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "process/signals.h"

namespace chaosrun::drivers::process {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(SignalTest, NamesAndNumbers) {
  EXPECT_EQ(ParseSignal("SIGKILL"), SIGKILL);
  EXPECT_EQ(ParseSignal("KILL"), SIGKILL);
  EXPECT_EQ(ParseSignal("TERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("SIGUSR2"), SIGUSR2);
  EXPECT_EQ(ParseSignal(9), 9);
  EXPECT_EQ(ParseSignal(json(15u)), 15);
  EXPECT_EQ(ParseSignal(SIGRTMAX), SIGRTMAX);
}

TEST(SignalTest, Rejects) {
  for (const json& bad :
       {json(0), json(-9), json(SIGRTMAX + 1), json(1ull << 40), json("kill"), json("SIG"),
        json("SIGNOPE"), json(""), json(9.0), json(nullptr), json::array({9}), json::object()}) {
    EXPECT_FALSE(ParseSignal(bad).has_value()) << bad.dump();
  }
}

TEST(SignalTest, NamesRoundTrip) {
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(SIGRTMIN + 1), "SIG" + std::to_string(SIGRTMIN + 1));
  for (const auto& n : SignalNames()) EXPECT_EQ(SignalName(*ParseSignal(n)), n);
  EXPECT_TRUE(IsJobControlSignal(SIGSTOP));
  EXPECT_FALSE(IsJobControlSignal(SIGTERM));
}

std::string Parse(const std::string& func, const json& args, ActionSpec* spec = nullptr) {
  ActionSpec ignored;
  return ParseActionArgs(func, args, spec != nullptr ? spec : &ignored);
}

TEST(ActionArgsTest, KillDefaults) {
  ActionSpec s;
  ASSERT_EQ(Parse("kill", json{{"name", "redis-server"}, {"restart", {"redis-server"}}}, &s), "");
  EXPECT_EQ(s.selector.kind, SelectorKind::kName);
  EXPECT_EQ(s.selector.value, "redis-server");
  EXPECT_EQ(s.signal, SIGKILL);
  EXPECT_FALSE(s.count || s.percent || s.seed);
  EXPECT_EQ(s.restart, (std::vector<std::string>{"redis-server"}));
}

TEST(ActionArgsTest, StopIsAlwaysSigstop) {
  ActionSpec s;
  ASSERT_EQ(Parse("stop", json{{"pids", {5, 6}}, {"percent", 50}, {"seed", 3}}, &s), "");
  EXPECT_EQ(s.signal, SIGSTOP);
  EXPECT_EQ(s.selector.pids, (std::vector<int>{5, 6}));
  EXPECT_EQ(*s.percent, 50.0);
  EXPECT_EQ(*s.seed, 3u);
  EXPECT_THAT(Parse("stop", json{{"pids", {5}}, {"signal", "KILL"}}),
              HasSubstr("unknown argument 'signal'"));
  EXPECT_THAT(Parse("stop", json{{"pids", {5}}, {"restart", {"x"}}}), HasSubstr("'restart'"));
}

TEST(ActionArgsTest, Errors) {
  struct Case {
    json args;
    const char* message;
  };
  const Case cases[] = {
      {json::object(), "no selector"},
      {json{{"name", "a"}, {"pids", {1}}}, "several selectors"},
      {json{{"name", "abcdefghijklmnop"}}, "at most 15 bytes"},
      {json{{"name", ""}}, "non-empty string"},
      {json{{"name", 5}}, "non-empty string"},
      {json{{"pids", json::array()}}, "non-empty list"},
      {json{{"pids", "12"}}, "non-empty list"},
      {json{{"pids", {0}}}, "positive integers"},
      {json{{"pids", {1.5}}}, "positive integers"},
      {json{{"pids", {99999999999}}}, "positive integers"},
      {json{{"cmdline", "(unclosed"}}, "not a valid regular expression"},
      {json{{"cmdline", std::string(2000, 'a')}}, "longer than 1024"},
      {json{{"unit", "-x"}}, "not a valid systemd unit"},
      {json{{"unit", "a b"}}, "not a valid systemd unit"},
      {json{{"name", "x"}, {"count", 0}}, "count must be"},
      {json{{"name", "x"}, {"count", "2"}}, "count must be"},
      {json{{"name", "x"}, {"count", 1.5}}, "count must be"},
      {json{{"name", "x"}, {"percent", 0}}, "percent must be"},
      {json{{"name", "x"}, {"percent", 100.5}}, "percent must be"},
      {json{{"name", "x"}, {"percent", "5"}}, "percent must be"},
      {json{{"name", "x"}, {"count", 1}, {"percent", 5}}, "not both"},
      {json{{"name", "x"}, {"seed", -1}}, "seed must be"},
      {json{{"name", "x"}, {"seed", "1"}}, "seed must be"},
      {json{{"name", "x"}, {"signal", "NOPE"}}, "signal must be"},
      {json{{"name", "x"}, {"signal", "STOP"}}, "use the stop action"},
      {json{{"name", "x"}, {"signal", 18}}, "use the stop action"},
      {json{{"name", "x"}, {"restart", json::array()}}, "restart must be"},
      {json{{"name", "x"}, {"restart", "sh -c x"}}, "restart must be"},
      {json{{"name", "x"}, {"restart", {"a", 1}}}, "only strings"},
      {json{{"name", "x"}, {"restart", {""}}}, "must not be empty"},
      {json{{"name", "x"}, {"bogus", 1}}, "unknown argument 'bogus'"},
      {json(42), "JSON object"},
      {json(nullptr), "JSON object"},
      {json::array({1}), "JSON object"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(Parse("kill", c.args), HasSubstr(c.message)) << c.args.dump();
  }
}

TEST(ActionArgsTest, NumbersMayBeWrittenAsFloats) {
  ActionSpec s;
  ASSERT_EQ(Parse("stop", json{{"name", "x"}, {"count", 2.0}, {"seed", 5.0}}, &s), "");
  EXPECT_EQ(*s.count, 2);
  EXPECT_EQ(*s.seed, 5u);
  ASSERT_EQ(Parse("stop", json{{"name", "x"}, {"seed", 18446744073709551615ull}}, &s), "");
  EXPECT_EQ(*s.seed, 18446744073709551615ull);
}

TEST(SelectorTest, RoundTripsThroughJson) {
  for (const json& args :
       {json{{"pids", {3, 4}}}, json{{"pidfile", "/run/x.pid"}}, json{{"name", "nginx"}},
        json{{"cmdline", "^nginx: master"}}, json{{"unit", "nginx.service"}}}) {
    Selector s;
    ASSERT_EQ(ParseSelector(args, &s), "") << args.dump();
    EXPECT_EQ(s.ToJson(), args);
    Selector again;
    ASSERT_EQ(ParseSelector(s.ToJson(), &again), "");
    EXPECT_EQ(again.Describe(), s.Describe());
  }
}

}  // namespace
}  // namespace chaosrun::drivers::process

namespace chaosrun::drivers::process {
namespace {

// A pattern that backtracks exponentially must still finish quickly (polynomial matcher), and
// back-references, which that matcher cannot run, are refused up front.
TEST(CmdlinePatternTest, CatastrophicPatternsAreBounded) {
  Selector s;
  EXPECT_EQ(ParseSelector(nlohmann::json{{"cmdline", "(a*)*b"}}, &s), "");
  EXPECT_THAT(ParseSelector(nlohmann::json{{"cmdline", "(a)\\1"}}, &s),
              ::testing::HasSubstr("not a valid regular expression"));
}

}  // namespace
}  // namespace chaosrun::drivers::process
