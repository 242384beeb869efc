// The tc actions' argument checks and the exact command lines they become.
#include "network/tc_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosrun::drivers::network {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TcSpec Parse(const std::string& func, const json& args) {
  TcSpec spec;
  std::string e = ParseTcAction(func, args, &spec);
  EXPECT_EQ(e, "") << func << " " << args.dump();
  return spec;
}

std::string TcError(const std::string& func, const json& args) {
  TcSpec spec;
  return ParseTcAction(func, args, &spec);
}

TEST(TcSpecTest, DelayWithJitterAndCorrelation) {
  TcSpec s =
      Parse("delay",
            {{"interface", "veth0"}, {"delay_ms", 100}, {"jitter_ms", 10.5}, {"correlation", 25}});
  EXPECT_EQ(s.kind, "netem");
  EXPECT_THAT(s.QdiscArgs(1500), ElementsAre("netem", "delay", "100ms", "10.5ms", "25%"));
  s = Parse("delay", {{"interface", "veth0"}, {"delay_ms", 0.25}});
  EXPECT_THAT(s.QdiscArgs(1500), ElementsAre("netem", "delay", "0.25ms"));
}

TEST(TcSpecTest, PercentActions) {
  EXPECT_THAT(Parse("loss", {{"interface", "e"}, {"percent", 5}}).QdiscArgs(1500),
              ElementsAre("netem", "loss", "5%"));
  EXPECT_THAT(
      Parse("corrupt", {{"interface", "e"}, {"percent", 0.1}, {"correlation", 50}}).QdiscArgs(1500),
      ElementsAre("netem", "corrupt", "0.1%", "50%"));
  EXPECT_THAT(Parse("duplicate", {{"interface", "e"}, {"percent", 100}}).QdiscArgs(1500),
              ElementsAre("netem", "duplicate", "100%"));
  EXPECT_THAT(Parse("reorder", {{"interface", "e"}, {"percent", 25}, {"gap", 5}}).QdiscArgs(1500),
              ElementsAre("netem", "delay", "10ms", "reorder", "25%", "gap", "5"));
}

TEST(TcSpecTest, RateIsTbfWithBurstFromRateOrMtu) {
  TcSpec s = Parse("rate", {{"interface", "veth0"}, {"namespace", "lab"}, {"rate_kbit", 8000}});
  EXPECT_EQ(s.kind, "tbf");
  // 8000 kbit/s = 1,000,000 B/s: 10 ms = 10,000 B, above 2 * 1500 + 36.
  EXPECT_THAT(s.QdiscArgs(1500),
              ElementsAre("tbf", "rate", "8000kbit", "burst", "10000", "latency", "50ms"));
  // A slow rate on a big-MTU interface: the burst must hold a whole packet.
  s = Parse("rate", {{"interface", "lo"}, {"rate_kbit", 64}, {"latency_ms", 200}});
  EXPECT_THAT(s.QdiscArgs(65536),
              ElementsAre("tbf", "rate", "64kbit", "burst", "131108", "latency", "200ms"));
  s = Parse("rate", {{"interface", "e"}, {"rate_kbit", 1000}, {"burst_bytes", 20000}});
  EXPECT_EQ(s.Burst(9000), 20000);
}

TEST(TcSpecTest, NamespaceTargetsAndArgv) {
  EXPECT_EQ(InterfaceTarget("", "eth0"), "interface:host/eth0");
  EXPECT_EQ(InterfaceTarget("lab", "veth0"), "interface:lab/veth0");
  EXPECT_THAT(TcArgv("lab", {"qdisc", "show"}), ElementsAre("tc", "-n", "lab", "qdisc", "show"));
  EXPECT_THAT(TcArgv("", {"qdisc"}), ElementsAre("tc", "qdisc"));
  EXPECT_THAT(IpArgv("lab", {"link"}), ElementsAre("ip", "-n", "lab", "link"));
}

TEST(TcSpecTest, RejectsBadArguments) {
  EXPECT_THAT(TcError("delay", {{"delay_ms", 10}}), HasSubstr("interface is required"));
  EXPECT_THAT(TcError("delay", {{"interface", "this-name-is-too-long"}, {"delay_ms", 1}}),
              HasSubstr("15"));
  EXPECT_THAT(TcError("delay", {{"interface", "eth0; reboot"}, {"delay_ms", 1}}),
              HasSubstr("interface"));
  EXPECT_THAT(TcError("delay", {{"interface", "e"}, {"namespace", "../x"}, {"delay_ms", 1}}),
              HasSubstr("namespace"));
  // "interface:host/lo" would then be another namespace's lo to read, the host's to the guard.
  EXPECT_THAT(TcError("delay", {{"interface", "lo"}, {"namespace", "host"}, {"delay_ms", 1}}),
              HasSubstr("namespace 'host'"));
  EXPECT_THAT(TcError("delay", {{"interface", "e"}}), HasSubstr("delay_ms is required"));
  EXPECT_THAT(TcError("delay", {{"interface", "e"}, {"delay_ms", 0}}), HasSubstr("above 0"));
  EXPECT_THAT(TcError("delay", {{"interface", "e"}, {"delay_ms", 1e9}}), HasSubstr("60000"));
  EXPECT_THAT(TcError("delay", {{"interface", "e"}, {"delay_ms", "5ms"}}), HasSubstr("delay_ms"));
  EXPECT_THAT(TcError("loss", {{"interface", "e"}, {"percent", 101}}), HasSubstr("percent"));
  EXPECT_THAT(TcError("loss", {{"interface", "e"}, {"percent", 0}}), HasSubstr("above 0"));
  EXPECT_THAT(TcError("loss", {{"interface", "e"}, {"percent", 1}, {"jitter_ms", 1}}),
              HasSubstr("unknown argument 'jitter_ms'"));
  EXPECT_THAT(TcError("rate", {{"interface", "e"}}), HasSubstr("rate_kbit is required"));
  EXPECT_THAT(TcError("rate", {{"interface", "e"}, {"rate_kbit", 1.5}}), HasSubstr("rate_kbit"));
  EXPECT_THAT(TcError("rate", {{"interface", "e"}, {"rate_kbit", 100}, {"burst_bytes", 10}}),
              HasSubstr("burst_bytes"));
  EXPECT_THAT(TcError("reorder", {{"interface", "e"}, {"percent", 5}, {"delay_ms", 0}}),
              HasSubstr("delay_ms must be above 0"));
  EXPECT_THAT(TcError("shape", {{"interface", "e"}}), HasSubstr("no tc action"));
  EXPECT_THAT(TcError("loss", json::array()), HasSubstr("JSON object"));
}

TEST(TcSpecTest, Numbers) {
  EXPECT_EQ(TcNumber(100, "ms"), "100ms");
  EXPECT_EQ(TcNumber(0.5, "ms"), "0.5ms");
  EXPECT_EQ(TcNumber(12.125, "%"), "12.125%");
  EXPECT_EQ(TcNumber(1e-7, "%"), "0%");
}

}  // namespace
}  // namespace chaosrun::drivers::network
