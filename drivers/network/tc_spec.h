// The tc actions' arguments and the tc command lines they become. Pure: no I/O.
//   delay     netem delay D[ms] [jitter J[ms] [correlation C%]]
//   loss      netem loss P% [C%]
//   corrupt   netem corrupt P% [C%]
//   duplicate netem duplicate P% [C%]
//   reorder   netem delay D[ms] reorder P% [C%] [gap G]
//   rate      tbf rate R kbit burst B latency L[ms]
// Every action takes `interface` and an optional `namespace` (a named network namespace, as in
// `ip netns`); the target is "interface:<namespace or host>/<interface>".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace chaosrun::drivers::network {

struct TcSpec {
  std::string func;
  std::string ifname;
  std::string netns;  // "" = the host's namespace
  std::string kind;   // the qdisc it installs: "netem" or "tbf"
  double delay_ms = 0, jitter_ms = 0, percent = 0, correlation = 0;
  std::optional<int64_t> gap;
  int64_t rate_kbit = 0;
  std::optional<int64_t> burst_bytes;  // rate: default computed from the rate and the MTU
  int64_t latency_ms = 50;             // rate: how long a packet may wait in the bucket

  // The qdisc part of the command: {"netem", "delay", "100ms", ...} or {"tbf", ...}.
  // `mtu` is used for the default burst of `rate`.
  std::vector<std::string> QdiscArgs(int64_t mtu) const;
  // The burst `rate` uses: burst_bytes, or max(10 ms of the rate, 2 MTU + 36, 3200).
  int64_t Burst(int64_t mtu) const;
};

bool IsTcAction(const std::string& func);
// The qdisc kind `func` needs ("netem" or "tbf"); "" for an unknown func.
std::string QdiscKindOf(const std::string& func);

// Parses the arguments of `func`; returns an error message (empty on success).
std::string ParseTcAction(const std::string& func, const nlohmann::json& args, TcSpec* out);

// "interface:<netns or host>/<ifname>".
std::string InterfaceTarget(const std::string& netns, const std::string& ifname);

// {"tc", ["-n", NS,] args...}: tc in the namespace (or the host's when netns is empty).
std::vector<std::string> TcArgv(const std::string& netns, const std::vector<std::string>& args);
// {"ip", ["-n", NS,] args...}.
std::vector<std::string> IpArgv(const std::string& netns, const std::vector<std::string>& args);

// "100ms", "0.5ms", "12.5%": numbers as tc reads them (no exponent, trailing zeros dropped).
std::string TcNumber(double v, const char* unit);

}  // namespace chaosrun::drivers::network
