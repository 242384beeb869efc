// `chaosrun proxy serve --busy-poll`: how the flag maps onto the engine's settings (the
// behaviour of each setting is tested in tests/unit/proxy/busy_poll_test.cc and
// tests/integration/proxy/relay_test.cc; a bad value's exit code in serve_test.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/args.h"

namespace chaosrun::cli {
namespace {

Args ServeWith(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"proxy", "serve"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto parsed = ParseArgs(argv);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message());
  return parsed ? *parsed : Args{};
}

TEST(ProxyServeArgs, BusyPollDefaultsToFiftyMicrosecondsWhileACpuIsSpare) {
  Args a = ServeWith({});
  EXPECT_EQ(a.command, Command::kProxy);
  EXPECT_TRUE(a.proxy_busy_poll_auto);
  EXPECT_EQ(a.proxy_busy_poll_us, 50u);
  Args spelled = ServeWith({"--busy-poll", "auto"});
  EXPECT_TRUE(spelled.proxy_busy_poll_auto);
  EXPECT_EQ(spelled.proxy_busy_poll_us, 50u);
}

TEST(ProxyServeArgs, ANumberPollsThatLongAlwaysAndZeroNever) {
  Args always = ServeWith({"--busy-poll", "200"});
  EXPECT_FALSE(always.proxy_busy_poll_auto);
  EXPECT_EQ(always.proxy_busy_poll_us, 200u);
  Args never = ServeWith({"--busy-poll=0"});
  EXPECT_FALSE(never.proxy_busy_poll_auto);
  EXPECT_EQ(never.proxy_busy_poll_us, 0u);
  // The last one given wins, as for every other option.
  Args last = ServeWith({"--busy-poll", "0", "--busy-poll", "auto"});
  EXPECT_TRUE(last.proxy_busy_poll_auto);
  EXPECT_EQ(last.proxy_busy_poll_us, 50u);
}

TEST(ProxyServeArgs, AnythingElseIsAUsageErrorNamingTheFlag) {
  for (std::string bad : {"Auto", "", "-1", "10001", "5us", "auto:50"}) {
    auto parsed = ParseArgs({"proxy", "serve", "--busy-poll", bad});
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().message().find("--busy-poll must be auto or a whole number"),
              std::string::npos)
        << bad << ": " << parsed.error().message();
  }
}

}  // namespace
}  // namespace chaosrun::cli
