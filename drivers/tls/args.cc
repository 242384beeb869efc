#include "tls/args.h"

#include <cmath>

#include "process/args.h"
#include "process/signals.h"

namespace chaosrun::drivers::tls {

namespace {

using nlohmann::json;

// An absolute path string member (nullopt and *error set when present but wrong).
std::optional<std::string> PathArg(const json& args, const char* key, std::string* error) {
  auto it = args.find(key);
  if (it == args.end()) return std::nullopt;
  if (!it->is_string() || it->get<std::string>().size() < 2 ||
      it->get<std::string>().size() > kMaxPathBytes || it->get<std::string>()[0] != '/' ||
      it->get<std::string>().find('\0') != std::string::npos) {
    *error = std::string(key) + ": must be an absolute path";
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<double> PositiveUpTo(const json& v, double max) {
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (!std::isfinite(d) || d <= 0 || d > max) return std::nullopt;
  return d;
}

bool ValidHostName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '*';
    if (!ok) return false;
  }
  return s[0] != '.' && s[0] != '-';
}

}  // namespace

std::string FaultName(Fault f) { return kFaultNames[static_cast<int>(f)]; }

json ReloadSpec::ToJson() const {
  switch (kind) {
    case Kind::kNone:
      return nullptr;
    case Kind::kCommand:
      return json{{"command", command}, {"timeout", timeout_seconds}};
    case Kind::kPid:
      return json{{"signal", signal}, {"pid", pid}};
    case Kind::kPidfile:
      return json{{"signal", signal}, {"pidfile", pidfile}};
  }
  return nullptr;
}

std::string ParseReload(const json& value, ReloadSpec* out) {
  *out = ReloadSpec{};
  if (value.is_null()) return {};
  if (!value.is_object()) return "reload: must be an object";
  if (value.contains("command")) {
    if (std::string e = process::UnknownKey(value, {"command", "timeout"}); !e.empty()) {
      return "reload: " + e + " (a command reload takes command and timeout)";
    }
    const json& argv = value["command"];
    if (!argv.is_array() || argv.empty()) return "reload/command: must be a non-empty list";
    for (size_t i = 0; i < argv.size(); ++i) {
      if (!argv[i].is_string() || argv[i].get<std::string>().empty()) {
        return "reload/command/" + std::to_string(i) + ": must be a non-empty string";
      }
      out->command.push_back(argv[i].get<std::string>());
    }
    if (value.contains("timeout")) {
      auto t = PositiveUpTo(value["timeout"], kMaxReloadTimeoutSeconds);
      if (!t) {
        return "reload/timeout: must be a number of seconds in (0, " +
               std::to_string(static_cast<int>(kMaxReloadTimeoutSeconds)) + "]";
      }
      out->timeout_seconds = *t;
    }
    out->kind = ReloadSpec::Kind::kCommand;
    return {};
  }
  if (!value.contains("signal")) {
    return "reload: give {\"command\": [...]}, {\"signal\", \"pid\"} or {\"signal\", \"pidfile\"}";
  }
  if (std::string e = process::UnknownKey(value, {"signal", "pid", "pidfile"}); !e.empty()) {
    return "reload: " + e + " (a signal reload takes signal and pid or pidfile)";
  }
  auto sig = process::ParseSignal(value["signal"]);
  if (!sig) return "reload/signal: not a signal name or number";
  out->signal = *sig;
  if (value.contains("pid") == value.contains("pidfile")) {
    return "reload: a signal reload needs exactly one of pid, pidfile";
  }
  if (value.contains("pid")) {
    auto pid = process::IntegerIn(value["pid"], 2, 0x7fffffff);
    if (!pid) return "reload/pid: must be a process id of 2 or more";
    out->pid = static_cast<int>(*pid);
    out->kind = ReloadSpec::Kind::kPid;
    return {};
  }
  std::string error;
  auto pidfile = PathArg(value, "pidfile", &error);
  if (!pidfile) return "reload/" + error;
  out->pidfile = *pidfile;
  out->kind = ReloadSpec::Kind::kPidfile;
  return {};
}

std::string ParseReplaceArgs(const json& args, ReplaceSpec* out) {
  *out = ReplaceSpec{};
  if (!args.is_object()) return "the arguments must be an object";
  if (std::string e =
          process::UnknownKey(args, {"path", "key_path", "fault", "mode", "wrong_host_name", "days",
                                     "issuer_cert", "issuer_key", "new_key", "reload"});
      !e.empty()) {
    return e;
  }
  std::string error;
  auto path = PathArg(args, "path", &error);
  if (!path) return error.empty() ? "path: required (the certificate file)" : error;
  out->path = *path;
  if (auto k = PathArg(args, "key_path", &error)) out->key_path = *k;
  if (!error.empty()) return error;
  if (!args.contains("fault") || !args["fault"].is_string()) {
    return std::string("fault: required, one of ") + kFaultSummary;
  }
  std::string fault = args["fault"].get<std::string>();
  bool found = false;
  for (int i = 0; i < static_cast<int>(std::size(kFaultNames)); ++i) {
    if (fault == kFaultNames[i]) {
      out->fault = static_cast<Fault>(i);
      found = true;
    }
  }
  if (!found) return "fault: '" + fault + "' is not one of " + kFaultSummary;
  if (args.contains("mode")) {
    if (out->fault != Fault::kGarbled) return "mode: only for the garbled fault";
    const json& m = args["mode"];
    if (m != "garble" && m != "truncate") return "mode: must be garble or truncate";
    out->truncate = m == "truncate";
  }
  if (args.contains("wrong_host_name")) {
    if (out->fault != Fault::kWrongHost) return "wrong_host_name: only for the wrong_host fault";
    const json& n = args["wrong_host_name"];
    if (!n.is_string() || !ValidHostName(n.get<std::string>())) {
      return "wrong_host_name: must be a DNS name (letters, digits, '.', '-', '*')";
    }
    out->wrong_host_name = n.get<std::string>();
  }
  if (args.contains("days")) {
    if (out->fault != Fault::kExpired && out->fault != Fault::kNotYetValid) {
      return "days: only for the expired and not_yet_valid faults";
    }
    auto d = PositiveUpTo(args["days"], kMaxDays);
    if (!d) return "days: must be a number of days in (0, 36500]";
    out->days = *d;
  }
  auto ic = PathArg(args, "issuer_cert", &error);
  if (!error.empty()) return error;
  auto ik = PathArg(args, "issuer_key", &error);
  if (!error.empty()) return error;
  if (ic.has_value() != ik.has_value()) return "issuer_cert and issuer_key: give both or neither";
  if (ic) {
    out->issuer_cert = *ic;
    out->issuer_key = *ik;
  }
  if (args.contains("new_key")) {
    if (!args["new_key"].is_boolean()) return "new_key: must be true or false";
    out->new_key = args["new_key"].get<bool>();
  }
  if (out->new_key && out->key_path.empty()) return "new_key: needs key_path (the key to replace)";
  if (out->new_key && out->fault == Fault::kGarbled) {
    return "new_key: not for the garbled fault (it leaves the key alone)";
  }
  if (!out->key_path.empty() && out->key_path == out->path) {
    return "key_path: must not be the certificate's path";
  }
  return ParseReload(args.contains("reload") ? args["reload"] : json(), &out->reload);
}

std::string ParseProbeArgs(const json& args, ProbeSpec* out) {
  *out = ProbeSpec{};
  if (!args.is_object()) return "the arguments must be an object";
  if (std::string e = process::UnknownKey(args, {"host", "port", "sni", "ca_file", "timeout"});
      !e.empty()) {
    return e;
  }
  if (!args.contains("host") || !args["host"].is_string() ||
      args["host"].get<std::string>().empty() || args["host"].get<std::string>().size() > 253) {
    return "host: required, a host name or address";
  }
  out->host = args["host"].get<std::string>();
  auto port = args.contains("port") ? process::IntegerIn(args["port"], 1, 65535) : std::nullopt;
  if (!port) return "port: required, an integer in 1..65535";
  out->port = static_cast<int>(*port);
  out->sni = out->host;
  if (args.contains("sni")) {
    const json& s = args["sni"];
    if (!s.is_string() || s.get<std::string>().empty() || s.get<std::string>().size() > 253) {
      return "sni: must be a server name";
    }
    out->sni = s.get<std::string>();
  }
  std::string error;
  if (auto ca = PathArg(args, "ca_file", &error)) out->ca_file = *ca;
  if (!error.empty()) return error;
  if (args.contains("timeout")) {
    auto t = PositiveUpTo(args["timeout"], kMaxProbeTimeoutSeconds);
    if (!t) return "timeout: must be a number of seconds in (0, 120]";
    out->timeout_seconds = *t;
  }
  return {};
}

}  // namespace chaosrun::drivers::tls
