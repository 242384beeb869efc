#include "cli/options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/strategy.h"

namespace chaosrun::cli {

namespace {

constexpr uint32_t kRunOnly = Bit(Command::kRun);
constexpr uint32_t kRunValidate = Bit(Command::kRun) | Bit(Command::kValidate);
constexpr uint32_t kProxyOnly = Bit(Command::kProxy);

Status Usage(std::string message) { return Status::InvalidArgument(std::move(message)); }

// A whole decimal number in [min, max] (no sign, no spaces).
bool OptWholeNumber(const std::string& v, uint64_t min, uint64_t max, uint64_t& out) {
  if (v.empty() || v.size() > 20 || v.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  errno = 0;
  unsigned long long n = std::strtoull(v.c_str(), nullptr, 10);
  if (errno != 0 || n < min || n > max) return false;
  out = n;
  return true;
}

// "65536", "64K", "32M", "1G" (powers of 1024) within [4 KiB, 1 GiB].
bool OptByteSize(const std::string& text, uint64_t& out) {
  if (text.empty()) return false;
  std::string digits = text;
  static constexpr char kSuffixes[] = "KMGkmg";
  int shift = 0;  // K, M, G: 10, 20, 30
  if (const char* at = std::strchr(kSuffixes, text.back()); at != nullptr && *at != '\0') {
    shift = 10 * (1 + static_cast<int>(at - kSuffixes) % 3);
    digits.pop_back();
  }
  if (digits.empty() || digits.size() > 10) return false;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  n <<= shift;
  if (n < (4ULL << 10) || n > (1ULL << 30)) return false;
  out = n;
  return true;
}

// A finite number (strtod syntax); false for anything else.
bool OptSeconds(const std::string& v, double& out) {
  if (v.empty()) return false;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (*end != '\0' || !std::isfinite(d)) return false;
  out = d;
  return true;
}

Status SetLogFormat(Args& a, const std::string& v) {
  if (v == "text" || v == "string") {
    a.log_format = log::Format::kText;
  } else if (v == "json") {
    a.log_format = log::Format::kJson;
  } else {
    return Usage("--log-format must be text or json, not '" + v + "'");
  }
  return Status::Ok();
}

Status SetLogFileLevel(Args& a, const std::string& v) {
  if (v == "debug") {
    a.log_file_level = log::Level::kDebug;
  } else if (v == "info") {
    a.log_file_level = log::Level::kInfo;
  } else if (v == "warning") {
    a.log_file_level = log::Level::kWarning;
  } else if (v == "error") {
    a.log_file_level = log::Level::kError;
  } else {
    return Usage("--log-file-level must be one of debug, info, warning, error, not '" + v + "'");
  }
  return Status::Ok();
}

Status SetChangeDir(Args& a, const std::string& v) {
  if (v.empty()) return Usage("--change-dir needs a directory");
  a.change_dir = v;
  return Status::Ok();
}

Status SetSettings(Args& a, const std::string& v) {
  if (v.empty()) return Usage("--settings needs a file name");
  a.settings_path = v;
  return Status::Ok();
}

Status SetDry(Args& a, const std::string& v) {
  if (!engine::ParseDryMode(v)) {
    return Usage("--dry must be one of probes, actions, activities, pause");
  }
  a.dry = v;
  return Status::Ok();
}

Status SetRollbackStrategy(Args& a, const std::string& v) {
  if (!engine::ParseRollbackStrategy(v)) {
    return Usage("--rollback-strategy must be one of default, always, never, deviated");
  }
  a.rollback_strategy = v;
  return Status::Ok();
}

Status SetHypothesisStrategy(Args& a, const std::string& v) {
  if (!engine::ParseHypothesisStrategy(v)) {
    return Usage(
        "--hypothesis-strategy must be one of default, before-method-only, "
        "after-method-only, during-method-only, continuously");
  }
  a.hypothesis_strategy = v;
  return Status::Ok();
}

Status SetHypothesisFrequency(Args& a, const std::string& v) {
  double d = 0;
  if (!OptSeconds(v, d) || d < 0) {
    return Usage("--hypothesis-frequency must be a number of seconds >= 0");
  }
  a.hypothesis_frequency = d;
  return Status::Ok();
}

Status SetDeadline(Args& a, const std::string& v) {
  double d = 0;
  if (!OptSeconds(v, d) || d <= 0) return Usage("--deadline must be a positive number of seconds");
  a.deadline_seconds = d;
  return Status::Ok();
}

Status SetPython(Args& a, const std::string& v) {
  if (v.empty()) return Usage("--python needs a path");
  a.python = v;
  return Status::Ok();
}

Status AddControlFile(Args& a, const std::string& v) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(v, ec)) {
    return Usage("--control-file: '" + v + "' does not exist");
  }
  a.control_files.push_back(v);
  return Status::Ok();
}

Status SetForget(Args& a, const std::string& v) {
  if (v.empty()) return Usage("--forget needs a fault id (see `chaosrun recover --list`)");
  a.forget_id = v;
  return Status::Ok();
}

Status SetOutput(Args& a, const std::string& v) {
  if (v.empty()) return Usage("option --output needs a file name");
  a.report_output = v;
  return Status::Ok();
}

Status SetThreads(Args& a, const std::string& v) {
  uint64_t n = 0;
  if (!OptWholeNumber(v, 1, 64, n)) return Usage("--threads must be a whole number from 1 to 64");
  a.proxy_threads = static_cast<int>(n);
  return Status::Ok();
}

Status SetSeed(Args& a, const std::string& v) {
  if (!OptWholeNumber(v, 0, UINT64_MAX, a.proxy_seed)) {
    return Usage("--seed must be a whole number >= 0");
  }
  return Status::Ok();
}

Status SetMaxBuffer(Args& a, const std::string& v) {
  if (!OptByteSize(v, a.proxy_max_buffer)) {
    return Usage("--max-buffer must be a size from 4K to 1G (bytes, or with a K, M or G suffix)");
  }
  return Status::Ok();
}

Status SetBusyPoll(Args& a, const std::string& v) {
  a.proxy_busy_poll_auto = v == "auto";
  if (a.proxy_busy_poll_auto) {
    a.proxy_busy_poll_us = 50;
  } else if (!OptWholeNumber(v, 0, 10000, a.proxy_busy_poll_us)) {
    return Usage("--busy-poll must be auto or a whole number of microseconds from 0 to 10000");
  }
  return Status::Ok();
}

#define CHAOSRUN_FLAG(field)        \
  [](Args& a, const std::string&) { \
    a.field = true;                 \
    return Status::Ok();            \
  }
#define CHAOSRUN_STRING(field)        \
  [](Args& a, const std::string& v) { \
    a.field = v;                      \
    return Status::Ok();              \
  }
#define CHAOSRUN_APPEND(field)        \
  [](Args& a, const std::string& v) { \
    a.field.push_back(v);             \
    return Status::Ok();              \
  }

const OptionSpec kOptionTable[] = {
    // Global options: every command, before or after it.
    {"-v,--verbose", nullptr, kGlobalOption, "debug messages on the console",
     CHAOSRUN_FLAG(verbose)},
    {"--log-file", "PATH", kGlobalOption,
     "also append the log to PATH, from --log-file-level up (no log file unless this is given)",
     CHAOSRUN_STRING(log_file), "file"},
    {"--log-file-level", "LEVEL", kGlobalOption,
     "debug | info | warning | error: the lowest level written to --log-file [debug]",
     SetLogFileLevel, "debug info warning error"},
    {"--no-log-file", nullptr, kGlobalOption,
     "write no log file, even with --log-file (chaosrun writes none unless --log-file is given)",
     CHAOSRUN_FLAG(no_log_file)},
    {"--log-format", "text|json", kGlobalOption,
     "console log format: text (also: string) or one JSON object per line [text]", SetLogFormat,
     "text json"},
    {"--settings", "FILE", kGlobalOption,
     "the Chaos Toolkit settings file (runtime strategies, controls, notifications; "
     "docs/settings.md)",
     SetSettings, "file"},
    {"--change-dir", "DIR", kGlobalOption,
     "change to DIR first: every other relative path is then relative to DIR", SetChangeDir, "dir"},
    {"--no-version-check", nullptr, kGlobalOption,
     "accepted and ignored: chaosrun never checks for a newer version (it never calls home)",
     CHAOSRUN_FLAG(no_version_check)},
    {"--version", nullptr, kGlobalOption, "print the version and exit", nullptr},
    {"-h,--help", nullptr, kGlobalOption, "show this message (`chaosrun COMMAND --help`)", nullptr},

    // run (and what validate shares with it).
    {"--journal-path", "PATH", kRunOnly, "where to write the journal [./journal.json]",
     CHAOSRUN_STRING(journal_path), "file"},
    {"--dry", "MODE", kRunOnly, "probes | actions | activities | pause: what not to run", SetDry,
     "probes actions activities pause"},
    {"--no-validation", nullptr, kRunOnly, "run without validating first",
     CHAOSRUN_FLAG(no_validation)},
    {"--no-verify-tls", nullptr, kRunValidate,
     "do not verify the TLS certificate of an https:// SOURCE (http probes are not affected)",
     [](Args& a, const std::string&) {
       a.verify_tls = false;
       return Status::Ok();
     }},
    {"--rollback-strategy", "S", kRunOnly, "default | always | never | deviated",
     SetRollbackStrategy, "default always never deviated"},
    {"--hypothesis-strategy", "S", kRunOnly,
     "default | before-method-only | after-method-only | during-method-only | continuously",
     SetHypothesisStrategy,
     "default before-method-only after-method-only during-method-only continuously"},
    {"--hypothesis-frequency", "SECS", kRunOnly,
     "seconds between two runs of the hypothesis during the method [1.0]", SetHypothesisFrequency},
    {"--fail-fast", nullptr, kRunOnly, "stop the method at the first deviation during it",
     CHAOSRUN_FLAG(fail_fast)},
    {"--var", "KEY=VALUE", kRunValidate,
     "override a configuration key (also KEY:TYPE=VALUE, TYPE one of str, int, float, bool, "
     "json); repeatable",
     CHAOSRUN_APPEND(vars)},
    {"--var-file", "PATH", kRunValidate,
     "JSON/YAML file with configuration/secrets blocks, or a .env file loaded into the "
     "environment; repeatable",
     CHAOSRUN_APPEND(var_files), "file"},
    {"--deadline", "SECS", kRunOnly, "interrupt the run (and undo every fault) after SECS",
     SetDeadline},
    {"--control-file", "PATH", kRunOnly,
     "JSON/YAML map of control names to controls, applied to every level of the run (global "
     "controls); must exist; repeatable",
     AddControlFile, "file"},
    {"--python", "PATH", kRunValidate,
     "the Python 3 for python providers and controls [$CHAOSRUN_PYTHON, else python3 on the PATH]",
     SetPython, "file"},

    // Drivers and safety.
    {"--driver-dir", "DIR", kRunValidate | Bit(Command::kDrivers) | Bit(Command::kRecover),
     "also load driver plugins from DIR; repeatable", CHAOSRUN_APPEND(driver_dirs), "dir"},
    {"--state-dir", "DIR",
     kRunValidate | Bit(Command::kDrivers) | Bit(Command::kRecover) | Bit(Command::kHalt),
     "where the undo ledger and the halt file live, private to the user [/var/lib/chaosrun for "
     "root, else $XDG_STATE_HOME/chaosrun, else ~/.local/state/chaosrun]",
     CHAOSRUN_STRING(state_dir), "dir"},
    {"--policy", "PATH", kRunValidate | Bit(Command::kDrivers),
     "the operator's blast-radius policy [/etc/chaosrun/policy.json]", CHAOSRUN_STRING(policy_path),
     "file"},

    // validate, drivers, recover.
    {"--json", nullptr, Bit(Command::kValidate), "print the problems as a JSON array",
     CHAOSRUN_FLAG(json_output)},
    {"--json", nullptr, Bit(Command::kDrivers), "print the drivers found (and the errors) as JSON",
     CHAOSRUN_FLAG(json_output)},
    {"--json", nullptr, Bit(Command::kRecover), "with --list: as a JSON object",
     CHAOSRUN_FLAG(json_output)},
    {"--strict", nullptr, Bit(Command::kValidate),
     "an unknown key that looks like a typo of a known one (\"steady-state-hypotesis\") is an "
     "error, not a warning",
     CHAOSRUN_FLAG(strict)},
    {"--force", nullptr, Bit(Command::kRecover),
     "also undo the faults of a run that is still alive", CHAOSRUN_FLAG(force)},
    {"--list", nullptr, Bit(Command::kRecover),
     "show every pending fault (age, driver, action, targets, last undo error, whether its run "
     "is alive); undo nothing",
     CHAOSRUN_FLAG(list)},
    {"--forget", "ID", Bit(Command::kRecover),
     "drop the pending fault ID from the ledger, once a person has repaired it by hand; who did "
     "it is recorded and logged",
     SetForget},

    // halt.
    {"--reason", "TEXT", Bit(Command::kHalt),
     "why: written into the halt file [halted by chaosrun halt]", CHAOSRUN_STRING(reason)},
    {"--clear", nullptr, Bit(Command::kHalt), "clear the kill switch", CHAOSRUN_FLAG(clear)},

    // report.
    {"-o,--output", "FILE", Bit(Command::kReport),
     "where to write the page [JOURNAL with .html]; required with several journals", SetOutput,
     "file"},

    // proxy serve.
    {"--api", "HOST:PORT", kProxyOnly,
     "where the API listens [127.0.0.1:8474]; port 0 picks a free port. HOST is an IP address or "
     "localhost",
     CHAOSRUN_STRING(proxy_api)},
    {"--allow-remote", nullptr, kProxyOnly,
     "allow a non-loopback API address (the API has no authentication: anyone who reaches it "
     "controls the proxies)",
     CHAOSRUN_FLAG(allow_remote)},
    {"--config", "FILE", kProxyOnly,
     "create these proxies at start: a JSON array of proxies, as for POST /populate (Toxiproxy's "
     "-config)",
     CHAOSRUN_STRING(proxy_config), "file"},
    {"--threads", "N", kProxyOnly, "event-loop threads of the data path, 1 to 64 [1]", SetThreads},
    {"--seed", "N", kProxyOnly,
     "seed of the random generator (toxicity, jitter, slicer); 0 = random [0]", SetSeed},
    {"--max-buffer", "SIZE", kProxyOnly,
     "the most data held inside the proxy per connection and direction (e.g. under latency); "
     "reading from the sender stops when it is reached. Bytes or K/M/G, 4K to 1G [32M]",
     SetMaxBuffer},
    {"--busy-poll", "auto|MICROSECONDS", kProxyOnly,
     "an event loop out of work keeps polling this long before it sleeps (0 to 10000; 0 = off). "
     "auto: 50 us, only while no task on the machine is waiting for a CPU [auto]",
     SetBusyPoll, "auto 0"},
};

#undef CHAOSRUN_FLAG
#undef CHAOSRUN_STRING
#undef CHAOSRUN_APPEND

}  // namespace

std::span<const OptionSpec> OptionTable() { return kOptionTable; }

}  // namespace chaosrun::cli
