#include "network/tc_spec.h"

#include <algorithm>
#include <cstdio>

#include "network/args.h"

namespace chaosrun::drivers::network {

namespace {

using nlohmann::json;

constexpr double kMaxDelayMs = 60000;

std::string Percent(const json& args, const char* key, bool required, double* out) {
  if (!args.contains(key)) return required ? std::string(key) + " is required" : "";
  auto v = NumberIn(args[key], 0.0, 100.0);
  if (!v || (required && *v <= 0.0)) {
    return std::string(key) + (required ? " must be a percentage above 0 and at most 100"
                                        : " must be a percentage from 0 to 100");
  }
  *out = *v;
  return {};
}

std::string Millis(const json& args, const char* key, bool required, double* out) {
  if (!args.contains(key)) return required ? std::string(key) + " is required" : "";
  auto v = NumberIn(args[key], 0.0, kMaxDelayMs);
  if (!v || (required && *v <= 0.0)) {
    return std::string(key) + " must be a number of milliseconds" +
           (required ? " above 0" : " from 0") + " up to 60000";
  }
  *out = *v;
  return {};
}

}  // namespace

bool IsTcAction(const std::string& func) { return !QdiscKindOf(func).empty(); }

std::string QdiscKindOf(const std::string& func) {
  if (func == "delay" || func == "loss" || func == "corrupt" || func == "duplicate" ||
      func == "reorder") {
    return "netem";
  }
  if (func == "rate") return "tbf";
  return {};
}

std::string TcNumber(double v, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s + unit;
}

std::string InterfaceTarget(const std::string& netns, const std::string& ifname) {
  return "interface:" + (netns.empty() ? std::string("host") : netns) + "/" + ifname;
}

std::vector<std::string> TcArgv(const std::string& netns, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"tc"};
  if (!netns.empty()) argv.insert(argv.end(), {"-n", netns});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> IpArgv(const std::string& netns, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  if (!netns.empty()) argv.insert(argv.end(), {"-n", netns});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

int64_t TcSpec::Burst(int64_t mtu) const {
  if (burst_bytes) return *burst_bytes;
  int64_t ten_ms = rate_kbit * 1000 / 8 / 100;
  return std::max<int64_t>({ten_ms, 2 * mtu + 36, 3200});
}

std::vector<std::string> TcSpec::QdiscArgs(int64_t mtu) const {
  std::vector<std::string> a;
  if (func == "rate") {
    return {"tbf",
            "rate",
            std::to_string(rate_kbit) + "kbit",
            "burst",
            std::to_string(Burst(mtu)),
            "latency",
            std::to_string(latency_ms) + "ms"};
  }
  a.push_back("netem");
  if (func == "delay" || func == "reorder") {
    a.insert(a.end(), {"delay", TcNumber(delay_ms, "ms")});
    if (func == "delay" && (jitter_ms > 0 || correlation > 0)) {
      a.push_back(TcNumber(jitter_ms, "ms"));
      if (correlation > 0) a.push_back(TcNumber(correlation, "%"));
    }
    if (func == "delay") return a;
  }
  a.push_back(func == "reorder" ? "reorder" : func);
  a.push_back(TcNumber(percent, "%"));
  if (correlation > 0) a.push_back(TcNumber(correlation, "%"));
  if (func == "reorder" && gap) a.insert(a.end(), {"gap", std::to_string(*gap)});
  return a;
}

std::string ParseTcAction(const std::string& func, const json& args, TcSpec* out) {
  TcSpec spec;
  spec.func = func;
  spec.kind = QdiscKindOf(func);
  if (spec.kind.empty()) return "no tc action named '" + func + "'";
  std::string bad;
  if (func == "delay") {
    bad = UnknownKey(args, {"interface", "namespace", "delay_ms", "jitter_ms", "correlation"});
  } else if (func == "reorder") {
    bad = UnknownKey(args, {"interface", "namespace", "percent", "correlation", "delay_ms", "gap"});
  } else if (func == "rate") {
    bad = UnknownKey(args, {"interface", "namespace", "rate_kbit", "burst_bytes", "latency_ms"});
  } else {
    bad = UnknownKey(args, {"interface", "namespace", "percent", "correlation"});
  }
  if (!bad.empty()) return bad;
  std::string error;
  auto ifname = StringArg(args, "interface", &error);
  if (!ifname) return error.empty() ? "interface is required" : error;
  if (!IsInterfaceName(*ifname)) {
    return "interface must be 1 to 15 letters, digits or _.- (got \"" + *ifname + "\")";
  }
  spec.ifname = *ifname;
  if (auto ns = StringArg(args, "namespace", &error)) {
    if (!IsSafeName(*ns, 64)) return "namespace may hold only letters, digits and _.- (<= 64)";
    // "interface:host/IF" is the host's namespace in a target: a namespace named so would
    // read as the host to the guard.
    if (*ns == "host") return "namespace 'host' is refused: it names the host's own in targets";
    spec.netns = *ns;
  } else if (!error.empty()) {
    return error;
  }
  std::string e;
  if (func == "delay") {
    if (!(e = Millis(args, "delay_ms", true, &spec.delay_ms)).empty()) return e;
    if (!(e = Millis(args, "jitter_ms", false, &spec.jitter_ms)).empty()) return e;
    if (!(e = Percent(args, "correlation", false, &spec.correlation)).empty()) return e;
  } else if (func == "rate") {
    auto r = args.contains("rate_kbit") ? IntegerIn(args["rate_kbit"], 8, 100000000) : std::nullopt;
    if (!r) return "rate_kbit is required: an integer of kbit/s (1000 bit/s) from 8 to 100000000";
    spec.rate_kbit = *r;
    if (args.contains("burst_bytes")) {
      spec.burst_bytes = IntegerIn(args["burst_bytes"], 1600, 1 << 30);
      if (!spec.burst_bytes) return "burst_bytes must be an integer from 1600 to 1073741824";
    }
    if (args.contains("latency_ms")) {
      auto l = IntegerIn(args["latency_ms"], 1, 60000);
      if (!l) return "latency_ms must be an integer from 1 to 60000";
      spec.latency_ms = *l;
    }
  } else {
    if (!(e = Percent(args, "percent", true, &spec.percent)).empty()) return e;
    if (!(e = Percent(args, "correlation", false, &spec.correlation)).empty()) return e;
    if (func == "reorder") {
      spec.delay_ms = 10;
      if (!(e = Millis(args, "delay_ms", false, &spec.delay_ms)).empty()) return e;
      if (spec.delay_ms <= 0) return "delay_ms must be above 0: netem reorders by delaying";
      if (args.contains("gap")) {
        spec.gap = IntegerIn(args["gap"], 1, 1000000);
        if (!spec.gap) return "gap must be an integer from 1 to 1000000";
      }
    }
  }
  *out = std::move(spec);
  return {};
}

}  // namespace chaosrun::drivers::network
