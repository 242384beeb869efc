#include "process/args.h"

#include <cmath>
#include <csignal>
#include <limits>

#include "process/signals.h"

namespace chaosrun::drivers::process {

std::optional<int64_t> IntegerIn(const nlohmann::json& v, int64_t min, int64_t max) {
  int64_t i = 0;
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    i = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    i = v.get<int64_t>();
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || d < -9e15 || d > 9e15) return std::nullopt;
    i = static_cast<int64_t>(d);
  } else {
    return std::nullopt;
  }
  if (i < min || i > max) return std::nullopt;
  return i;
}

std::optional<uint64_t> Unsigned(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (auto i = IntegerIn(v, 0, std::numeric_limits<int64_t>::max())) {
    return static_cast<uint64_t>(*i);
  }
  return std::nullopt;
}

std::string UnknownKey(const nlohmann::json& args, std::initializer_list<const char*> allowed) {
  if (!args.is_object()) return "the arguments must be a JSON object";
  for (const auto& item : args.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || item.key() == a;
    if (!known) return "unknown argument '" + item.key() + "'";
  }
  return {};
}

std::string ParseActionArgs(const std::string& func, const nlohmann::json& args, ActionSpec* out) {
  const bool kill = func == "kill";
  std::string bad = kill ? UnknownKey(args, {"pids", "pidfile", "name", "cmdline", "unit", "signal",
                                             "count", "percent", "seed", "restart"})
                         : UnknownKey(args, {"pids", "pidfile", "name", "cmdline", "unit", "count",
                                             "percent", "seed"});
  if (!bad.empty()) return bad;
  ActionSpec spec;
  spec.action = func;
  if (std::string e = ParseSelector(args, &spec.selector); !e.empty()) return e;

  spec.signal = kill ? SIGKILL : SIGSTOP;
  if (kill && args.contains("signal")) {
    auto sig = ParseSignal(args["signal"]);
    if (!sig) {
      return "signal must be a signal name such as \"SIGKILL\", \"KILL\" or \"TERM\", or a "
             "number from 1 to " +
             std::to_string(SIGRTMAX) + ", not " + args["signal"].dump();
    }
    if (IsJobControlSignal(*sig)) {
      return SignalName(*sig) + " does not kill: use the stop action to freeze processes";
    }
    spec.signal = *sig;
  }
  if (args.contains("count") && args.contains("percent")) {
    return "give count or percent, not both";
  }
  if (args.contains("count")) {
    spec.count = IntegerIn(args["count"], 1, std::numeric_limits<int64_t>::max());
    if (!spec.count) return "count must be an integer of at least 1";
  }
  if (args.contains("percent")) {
    const auto& p = args["percent"];
    if (!p.is_number() || !(p.get<double>() > 0.0) || !(p.get<double>() <= 100.0)) {
      return "percent must be a number above 0 and at most 100";
    }
    spec.percent = p.get<double>();
  }
  if (args.contains("seed")) {
    spec.seed = Unsigned(args["seed"]);
    if (!spec.seed) return "seed must be a non-negative integer";
  }
  if (kill && args.contains("restart")) {
    const nlohmann::json* argv = &args["restart"];
    if (argv->is_object()) {
      // {"argv": [...], "user": "redis"}: the user to restart as, instead of the killed one's.
      const auto& o = *argv;
      if (std::string e = UnknownKey(o, {"argv", "user"}); !e.empty()) return "restart: " + e;
      if (!o.contains("argv")) return "restart.argv is missing";
      if (o.contains("user")) {
        const auto& u = o["user"];
        if (u.is_string() && !u.get<std::string>().empty()) {
          spec.restart_user = u.get<std::string>();
        } else if (auto uid = IntegerIn(u, 0, 0xfffffffe)) {
          spec.restart_user = std::to_string(*uid);
        } else {
          return "restart.user must be a user name or a uid, not " + u.dump();
        }
      }
      argv = &o["argv"];
    }
    const auto& r = *argv;
    if (!r.is_array() || r.empty()) return "restart must be a non-empty list of strings (argv)";
    for (const auto& a : r) {
      if (!a.is_string()) return "restart must hold only strings, not " + a.dump();
      spec.restart.push_back(a.get<std::string>());
    }
    if (spec.restart[0].empty()) return "restart[0] (the program) must not be empty";
  }
  *out = std::move(spec);
  return {};
}

}  // namespace chaosrun::drivers::process
