// The arguments of replace_certificate and tls_certificate, checked as strictly as the
// descriptor's schemas (the host validates too; this is for direct callers and defence in depth).
// Every parser returns an error message for a person naming the argument, empty on success.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace chaosrun::drivers::tls {

inline constexpr const char* kFaultNames[] = {"expired",     "not_yet_valid", "wrong_host",
                                              "self_signed", "untrusted_ca",  "garbled"};
inline constexpr const char* kFaultSummary =
    "expired (validity in the past), not_yet_valid (validity in the future), wrong_host (made "
    "for another name), self_signed (same names, signed by its own key), untrusted_ca (signed by "
    "a fresh CA nobody trusts), garbled (a garbled or truncated file)";
inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr double kMaxDays = 36500;
inline constexpr double kMaxReloadTimeoutSeconds = 120;
inline constexpr double kMaxProbeTimeoutSeconds = 120;
inline constexpr double kDefaultReloadTimeoutSeconds = 30;
// One undo: a restore and a reload command at its longest, with room to spare.
inline constexpr double kUndoTimeoutSeconds = 150;
inline constexpr const char* kDefaultWrongHost = "wrong-host.invalid";

enum class Fault { kExpired, kNotYetValid, kWrongHost, kSelfSigned, kUntrustedCa, kGarbled };

std::string FaultName(Fault f);

// How the service is told to reload: nothing, a command, or a signal to a pid or a pidfile's pid.
struct ReloadSpec {
  enum class Kind { kNone, kCommand, kPid, kPidfile } kind = Kind::kNone;
  std::vector<std::string> command;
  double timeout_seconds = kDefaultReloadTimeoutSeconds;
  int signal = 0;
  int pid = 0;
  std::string pidfile;

  nlohmann::json ToJson() const;  // parses back to the same spec (absent kind: null)
};

// `value` is the "reload" member (null when absent). `where` prefixes messages ("reload").
std::string ParseReload(const nlohmann::json& value, ReloadSpec* out);

struct ReplaceSpec {
  std::string path;
  std::string key_path;  // empty when absent
  Fault fault = Fault::kExpired;
  bool truncate = false;  // garbled: truncate instead of garble
  std::string wrong_host_name = kDefaultWrongHost;
  double days = 1;
  std::string issuer_cert, issuer_key;  // both or neither
  bool new_key = false;
  ReloadSpec reload;
};

std::string ParseReplaceArgs(const nlohmann::json& args, ReplaceSpec* out);

struct ProbeSpec {
  std::string host;
  int port = 0;
  std::string sni;  // defaults to host
  std::string ca_file;
  double timeout_seconds = 5;
};

std::string ParseProbeArgs(const nlohmann::json& args, ProbeSpec* out);

}  // namespace chaosrun::drivers::tls
