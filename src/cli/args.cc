#include "cli/args.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>

#include "cli/remote_command.h"
#include "engine/strategy.h"

namespace chaosrun::cli {

namespace {

struct Parser {
  const std::vector<std::string>& argv;
  size_t i = 0;
  Args args;

  Status Value(const std::string& flag, std::optional<std::string>& inline_value,
               std::string& out) {
    if (inline_value) {
      out = *inline_value;
      inline_value.reset();
      return Status::Ok();
    }
    if (i + 1 >= argv.size()) return Status::InvalidArgument("option " + flag + " needs a value");
    out = argv[++i];
    return Status::Ok();
  }
};

bool IsRunFlag(const std::string& f) {
  static const char* kFlags[] = {"--journal-path",        "--dry",
                                 "--no-validation",       "--rollback-strategy",
                                 "--hypothesis-strategy", "--hypothesis-frequency",
                                 "--fail-fast",           "--deadline",
                                 "--control-file"};
  for (const char* k : kFlags) {
    if (f == k) return true;
  }
  return false;
}

// "65536", "64K", "32M", "1G" (powers of 1024) within [4 KiB, 1 GiB].
bool ParseByteSize(const std::string& text, uint64_t& out) {
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

bool IsProxyFlag(const std::string& f) {
  return f == "--api" || f == "--config" || f == "--threads" || f == "--seed" ||
         f == "--max-buffer" || f == "--busy-poll" || f == "--allow-remote";
}

// A whole decimal number in [min, max] (no sign, no spaces).
bool ParseUnsigned(const std::string& v, uint64_t min, uint64_t max, uint64_t& out) {
  if (v.empty() || v.size() > 20 || v.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  errno = 0;
  unsigned long long n = std::strtoull(v.c_str(), nullptr, 10);
  if (errno != 0 || n < min || n > max) return false;
  out = n;
  return true;
}

}  // namespace

Result<Args> ParseArgs(const std::vector<std::string>& argv) {
  Parser p{argv, 0, Args{}};
  Args& a = p.args;
  bool have_command = false;
  bool options_done = false;
  std::vector<std::string> positional;

  for (p.i = 0; p.i < argv.size(); ++p.i) {
    std::string arg = argv[p.i];
    if (!options_done && arg == "--") {
      options_done = true;
      continue;
    }
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      if (!have_command && positional.empty()) {
        if (arg == "run") {
          a.command = Command::kRun;
          have_command = true;
          continue;
        }
        if (arg == "validate") {
          a.command = Command::kValidate;
          have_command = true;
          continue;
        }
        if (arg == "drivers") {
          a.command = Command::kDrivers;
          have_command = true;
          continue;
        }
        if (arg == "recover") {
          a.command = Command::kRecover;
          have_command = true;
          continue;
        }
        if (arg == "halt") {
          a.command = Command::kHalt;
          have_command = true;
          continue;
        }
        if (arg == "proxy") {
          a.command = Command::kProxy;
          have_command = true;
          continue;
        }
        if (arg == "remote") {  // its own flags: src/cli/remote_command.h
          a.command = Command::kRemote;
          a.remote_args.assign(argv.begin() + static_cast<std::ptrdiff_t>(p.i) + 1, argv.end());
          return a;
        }
        if (arg == "report") {
          a.command = Command::kReport;
          have_command = true;
          continue;
        }
        if (arg == "help") {
          a.command = Command::kHelp;
          have_command = true;
          continue;
        }
      }
      positional.push_back(arg);
      continue;
    }
    std::string flag = arg;
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      flag = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    Status st;
    std::string v;
    if (flag == "--help" || flag == "-h") {
      a.help_topic = a.command == Command::kRun        ? "run"
                     : a.command == Command::kValidate ? "validate"
                     : a.command == Command::kDrivers  ? "drivers"
                     : a.command == Command::kRecover  ? "recover"
                     : a.command == Command::kHalt     ? "halt"
                     : a.command == Command::kProxy    ? "proxy"
                     : a.command == Command::kReport   ? "report"
                                                       : "";
      a.command = Command::kHelp;
      return a;
    } else if (flag == "--version") {
      a.command = Command::kVersion;
      return a;
    } else if (flag == "--verbose" || flag == "-v") {
      a.verbose = true;
    } else if (flag == "--log-file") {
      st = p.Value(flag, inline_value, a.log_file);
    } else if (flag == "--log-format") {
      st = p.Value(flag, inline_value, v);
      if (st.ok()) {
        if (v == "text" || v == "string") {
          a.log_format = log::Format::kText;
        } else if (v == "json") {
          a.log_format = log::Format::kJson;
        } else {
          st = Status::InvalidArgument("--log-format must be text or json, not '" + v + "'");
        }
      }
    } else if (flag == "--json" &&
               (a.command == Command::kValidate || a.command == Command::kDrivers ||
                a.command == Command::kRecover)) {
      a.json_output = true;
    } else if (flag == "--strict" && a.command == Command::kValidate) {
      a.strict = true;
    } else if (flag == "--driver-dir") {
      st = p.Value(flag, inline_value, v);
      if (st.ok()) a.driver_dirs.push_back(v);
    } else if (flag == "--state-dir") {
      st = p.Value(flag, inline_value, a.state_dir);
    } else if (flag == "--policy") {
      st = p.Value(flag, inline_value, a.policy_path);
    } else if (flag == "--clear" && a.command == Command::kHalt) {
      a.clear = true;
    } else if (flag == "--reason" && a.command == Command::kHalt) {
      st = p.Value(flag, inline_value, a.reason);
    } else if (flag == "--force" && a.command == Command::kRecover) {
      a.force = true;
    } else if (flag == "--list" && a.command == Command::kRecover) {
      a.list = true;
    } else if (flag == "--forget" && a.command == Command::kRecover) {
      st = p.Value(flag, inline_value, a.forget_id);
      if (st.ok() && a.forget_id.empty()) {
        st = Status::InvalidArgument("--forget needs a fault id (see `chaosrun recover --list`)");
      }
    } else if (flag == "--deadline") {
      st = p.Value(flag, inline_value, v);
      if (st.ok()) {
        char* end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || !std::isfinite(d) || d <= 0) {
          st = Status::InvalidArgument("--deadline must be a positive number of seconds");
        } else {
          a.deadline_seconds = d;
        }
      }
    } else if (flag == "--output" || flag == "-o") {
      if (a.command != Command::kReport) {
        st = Status::InvalidArgument("option " + flag + " only applies to `chaosrun report`");
      } else {
        st = p.Value(flag, inline_value, a.report_output);
        if (st.ok() && a.report_output.empty()) {
          st = Status::InvalidArgument("option " + flag + " needs a file name");
        }
      }
    } else if (IsProxyFlag(flag) && a.command != Command::kProxy) {
      st = Status::InvalidArgument("option " + flag + " only applies to `chaosrun proxy serve`");
    } else if (flag == "--api") {
      st = p.Value(flag, inline_value, a.proxy_api);
    } else if (flag == "--config") {
      st = p.Value(flag, inline_value, a.proxy_config);
    } else if (flag == "--threads") {
      st = p.Value(flag, inline_value, v);
      uint64_t n = 0;
      if (st.ok() && !ParseUnsigned(v, 1, 64, n)) {
        st = Status::InvalidArgument("--threads must be a whole number from 1 to 64");
      }
      a.proxy_threads = static_cast<int>(n);
    } else if (flag == "--seed") {
      st = p.Value(flag, inline_value, v);
      if (st.ok() && !ParseUnsigned(v, 0, UINT64_MAX, a.proxy_seed)) {
        st = Status::InvalidArgument("--seed must be a whole number >= 0");
      }
    } else if (flag == "--max-buffer") {
      st = p.Value(flag, inline_value, v);
      if (st.ok() && !ParseByteSize(v, a.proxy_max_buffer)) {
        st = Status::InvalidArgument(
            "--max-buffer must be a size from 4K to 1G (bytes, or with a K, M or G suffix)");
      }
    } else if (flag == "--busy-poll") {
      st = p.Value(flag, inline_value, v);
      a.proxy_busy_poll_auto = v == "auto";
      if (a.proxy_busy_poll_auto) {
        a.proxy_busy_poll_us = 50;
      } else if (st.ok() && !ParseUnsigned(v, 0, 10000, a.proxy_busy_poll_us)) {
        st = Status::InvalidArgument(
            "--busy-poll must be auto or a whole number of microseconds from 0 to 10000");
      }
    } else if (flag == "--allow-remote") {
      a.allow_remote = true;
    } else if (IsRunFlag(flag) && have_command && a.command != Command::kRun) {
      st = Status::InvalidArgument("option " + flag + " only applies to `chaosrun run`");
    } else if (flag == "--journal-path") {
      st = p.Value(flag, inline_value, a.journal_path);
    } else if (flag == "--dry") {
      st = p.Value(flag, inline_value, a.dry);
      if (st.ok() && !engine::ParseDryMode(a.dry)) {
        st = Status::InvalidArgument("--dry must be one of probes, actions, activities, pause");
      }
    } else if (flag == "--no-validation") {
      a.no_validation = true;
    } else if (flag == "--rollback-strategy") {
      st = p.Value(flag, inline_value, a.rollback_strategy);
      if (st.ok() && !engine::ParseRollbackStrategy(a.rollback_strategy)) {
        st = Status::InvalidArgument(
            "--rollback-strategy must be one of default, always, never, deviated");
      }
    } else if (flag == "--hypothesis-strategy") {
      st = p.Value(flag, inline_value, a.hypothesis_strategy);
      if (st.ok() && !engine::ParseHypothesisStrategy(a.hypothesis_strategy)) {
        st = Status::InvalidArgument(
            "--hypothesis-strategy must be one of default, before-method-only, "
            "after-method-only, during-method-only, continuously");
      }
    } else if (flag == "--hypothesis-frequency") {
      st = p.Value(flag, inline_value, v);
      if (st.ok()) {
        char* end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || !std::isfinite(d) || d < 0) {
          st = Status::InvalidArgument("--hypothesis-frequency must be a number of seconds >= 0");
        } else {
          a.hypothesis_frequency = d;
        }
      }
    } else if (flag == "--fail-fast") {
      a.fail_fast = true;
    } else if (flag == "--var") {
      st = p.Value(flag, inline_value, v);
      if (st.ok()) a.vars.push_back(v);
    } else if (flag == "--var-file") {
      st = p.Value(flag, inline_value, v);
      if (st.ok()) a.var_files.push_back(v);
    } else if (flag == "--python") {  // docs/python.md
      st = p.Value(flag, inline_value, a.python);
      if (st.ok() && a.python.empty()) st = Status::InvalidArgument("--python needs a path");
    } else if (flag == "--control-file") {
      st = p.Value(flag, inline_value, v);
      if (st.ok() && !std::filesystem::is_regular_file(v)) {
        st = Status::InvalidArgument("--control-file: '" + v + "' does not exist");
      }
      if (st.ok()) a.control_files.push_back(v);
    } else {
      st = Status::InvalidArgument("no such option: " + flag);
    }
    if (!st.ok()) return Err(st);
    if (inline_value) {
      return Err(Status::InvalidArgument("option " + flag + " does not take a value"));
    }
  }

  if (!have_command) {
    if (positional.empty()) {
      a.command = Command::kHelp;
      return a;
    }
    a.command = Command::kRun;  // `chaosrun FILE` is `chaosrun run FILE`
  }
  if (a.command == Command::kHelp) {
    a.help_topic = positional.empty() ? "" : positional[0];
    return a;
  }
  if (a.command == Command::kProxy) {
    if (positional.empty()) return Err(Status::InvalidArgument("missing argument: serve"));
    if (positional[0] != "serve") {
      return Err(Status::InvalidArgument("unknown proxy command '" + positional[0] +
                                         "' (the only one is `chaosrun proxy serve`)"));
    }
    if (positional.size() > 1) {
      return Err(Status::InvalidArgument("unexpected argument: " + positional[1]));
    }
    a.proxy_action = positional[0];
    return a;
  }
  if (a.command == Command::kReport) {
    if (positional.empty()) return Err(Status::InvalidArgument("missing argument: JOURNAL"));
    if (positional.size() > 1 && a.report_output.empty()) {
      return Err(Status::InvalidArgument(
          "a history of several journals needs --output FILE (where to write the page)"));
    }
    a.report_journals = positional;
    return a;
  }
  if (a.command == Command::kRecover) {
    if (a.list && !a.forget_id.empty()) {
      return Err(Status::InvalidArgument("--list and --forget cannot be used together"));
    }
    if (a.force && (a.list || !a.forget_id.empty())) {
      return Err(Status::InvalidArgument("--force applies only to undoing, not to " +
                                         std::string(a.list ? "--list" : "--forget")));
    }
    if (a.json_output && !a.list) {
      return Err(Status::InvalidArgument("--json applies only to `chaosrun recover --list`"));
    }
  }
  if (a.command == Command::kDrivers || a.command == Command::kRecover ||
      a.command == Command::kHalt) {
    if (!positional.empty()) {
      return Err(Status::InvalidArgument("unexpected argument: " + positional[0]));
    }
    return a;
  }
  if (positional.empty()) return Err(Status::InvalidArgument("missing argument: SOURCE"));
  if (positional.size() > 1) {
    return Err(Status::InvalidArgument("unexpected extra argument: " + positional[1]));
  }
  a.source = positional[0];
  return a;
}

std::string HelpText(const std::string& topic) {
  if (topic == "run") {
    return R"(Usage: chaosrun run [OPTIONS] SOURCE
       chaosrun [OPTIONS] SOURCE

Run the experiment in SOURCE (.json, .yaml or .yml) and write its journal.

Options:
  --journal-path PATH            where to write the journal [./journal.json]
  --dry MODE                     probes | actions | activities | pause
  --no-validation                run without validating first
  --rollback-strategy S          default | always | never | deviated
  --hypothesis-strategy S        default | before-method-only | after-method-only |
                                 during-method-only | continuously
  --hypothesis-frequency SECS    seconds between continuous hypothesis runs [1.0]
  --fail-fast                    stop the method at the first deviation during it
  --var KEY=VALUE                override a configuration key (also KEY:TYPE=VALUE,
                                 TYPE one of str, int, float, bool, json); repeatable
  --var-file PATH                JSON/YAML file with configuration/secrets blocks, or a
                                 .env file loaded into the environment; repeatable
  --deadline SECS                interrupt the run (and undo every fault) after SECS
  --control-file PATH            JSON/YAML map of control names to controls, applied to
                                 every level of the run (global controls); repeatable
  --python PATH                  the Python 3 for python providers and controls
                                 [$CHAOSRUN_PYTHON, else python3 on the PATH]
  --driver-dir DIR               also load driver plugins from DIR; repeatable
  --state-dir DIR                where the undo ledger and the halt file live (private to
                                 the user: refused when others can write it)
                                 [/var/lib/chaosrun for root, else $XDG_STATE_HOME/chaosrun,
                                 else ~/.local/state/chaosrun]
  --policy PATH                  the operator's blast-radius policy [/etc/chaosrun/policy.json]
  --verbose                      debug output on the console
  --log-file PATH                also write a debug log to PATH
  --log-format text|json         console log format [text]
  -h, --help                     show this message

Exit codes: 0 completed and not deviated; 1 failed, aborted, interrupted, deviated, invalid
or unloadable experiment; 2 usage error.
)";
  }
  if (topic == "validate") {
    return R"(Usage: chaosrun validate [OPTIONS] SOURCE

Check the experiment in SOURCE and report every problem as `JSON-pointer: reason`.

Options:
  --json                         print the problems as a JSON array
  --strict                       an unknown key that looks like a typo of a known one
                                 ("steady-state-hypotesis") is an error, not a warning
  --var KEY=VALUE, --var-file    as for run (configuration affects validation)
  --python PATH                  as for run (python modules are imported to check them)
  --driver-dir DIR, --policy     as for run (driver arguments and the blast radius are checked)
  --verbose, --log-file, --log-format
  -h, --help                     show this message

Exit codes: 0 valid; 1 invalid or unloadable; 2 usage error.
)";
  }
  if (topic == "drivers") {
    return R"(Usage: chaosrun drivers [--json] [--driver-dir DIR]...

List the driver plugins chaosrun finds, with their actions and probes, and every file that
failed to load (and why).
)";
  }
  if (topic == "recover") {
    return R"(Usage: chaosrun recover [--force] [--state-dir DIR] [--driver-dir DIR]...
       chaosrun recover --list [--json] [--state-dir DIR]
       chaosrun recover --forget ID [--state-dir DIR]

Undo every fault recorded in the undo ledger and not yet undone (left by a runner that crashed
or was killed), newest first, and print what was done. The faults of a run that is still alive
are refused (that run undoes them when it ends; stop it with `chaosrun halt` or kill).

Options:
  --force                        also undo the faults of a run that is still alive
  --list                         show every pending fault (age, driver, action, targets, last
                                 undo error, whether its run is alive); undo nothing
  --json                         with --list: as a JSON object
  --forget ID                    drop the pending fault ID from the ledger, once a person has
                                 repaired it by hand; who did it is recorded and logged
  --state-dir DIR                the ledger's directory (as for run)
  --driver-dir DIR               also load driver plugins from DIR; repeatable

The state directory and the ledger must belong to the user chaosrun runs as and be writable by
no one else; otherwise recover refuses them (exit 1) and says why.

Exit codes: 0 every pending fault undone (or nothing to do), listed, or forgotten; 1 an undo
failed (the fault stays in the ledger; run recover again once the cause is fixed), a live run's
fault was refused, the ledger cannot be read or is refused, or --forget names no pending fault;
2 usage error.
)";
  }
  if (topic == "halt") {
    return R"(Usage: chaosrun halt [--reason TEXT] [--state-dir DIR]
       chaosrun halt --clear [--state-dir DIR]

The kill switch. `halt` makes every running experiment that uses this state directory stop and
undo its faults, and makes every new fault refuse, until `chaosrun halt --clear`.
)";
  }
  if (topic == "remote") return RemoteHelpText();
  if (topic == "report") {
    return R"(Usage: chaosrun report JOURNAL [--output FILE]
       chaosrun report JOURNAL JOURNAL... --output FILE

Turn a journal (chaosrun's or Chaos Toolkit's) into one self-contained HTML page: summary,
faults and how each was undone, a timeline, probes, outputs and errors (docs/report.md). With
several journals, write a history page instead: one row per run, in time order, with a trend of
time to detect and duration.

Options:
  -o, --output FILE              where to write the page [JOURNAL with .html]; required with
                                 several journals

Exit codes: 0 written; 1 a journal cannot be read (the message names the file and the JSON
pointer) or the page cannot be written; 2 usage error.
)";
  }
  if (topic == "proxy") {
    return R"(Usage: chaosrun proxy serve [--api HOST:PORT] [--config FILE] [--threads N] [--seed N]
                           [--max-buffer SIZE] [--busy-poll auto|MICROSECONDS] [--allow-remote]

Run the fault proxy with its Toxiproxy-compatible HTTP API (docs/proxy-api.md), until SIGINT
or SIGTERM. Existing Toxiproxy clients and the Chaos Toolkit toxiproxy extension work against it.
Once the API listens, prints `chaosrun proxy: API listening on http://HOST:PORT` on stdout.

Options:
  --api HOST:PORT                where the API listens [127.0.0.1:8474]; port 0 picks a free
                                 port. HOST is an IP address or localhost
  --allow-remote                 allow a non-loopback API address (the API has no
                                 authentication: anyone who reaches it controls the proxies)
  --config FILE                  create these proxies at start: a JSON array of proxies, as for
                                 POST /populate (Toxiproxy's -config)
  --threads N                    event-loop threads of the data path [1]
  --seed N                       seed of the random generator (toxicity, jitter, slicer);
                                 0 = random [0]
  --max-buffer SIZE              the most data held inside the proxy per connection and
                                 direction (e.g. under latency); reading from the sender stops
                                 when it is reached. Bytes or K/M/G, 4K to 1G [32M]
  --busy-poll auto|MICROSECONDS  an event loop out of work keeps polling this long before it
                                 sleeps: less latency per hop, more CPU (0 to 10000; 0 = off).
                                 auto: 50 µs, only while no task on the machine is waiting for
                                 a CPU (the kernel's CPU pressure; off without it) [auto]
  --verbose                      debug output (one line per API request)
  --log-file PATH, --log-format text|json
  -h, --help                     show this message

Exit codes: 0 stopped by SIGINT or SIGTERM; 1 the API could not listen or --config could not
be loaded (the message names the entry); 2 usage error (including a non-loopback --api without
--allow-remote).
)";
  }
  return R"(Usage: chaosrun [OPTIONS] COMMAND [ARGS]...
       chaosrun [OPTIONS] SOURCE          (same as `chaosrun run SOURCE`)

A native runner for Chaos Toolkit experiments.

Commands:
  run       run an experiment and write its journal
  validate  check an experiment and report every problem
  drivers   list the driver plugins and their actions and probes
  recover   undo every fault left behind by a crashed or killed run
  halt      the kill switch: stop running experiments and refuse new faults
  proxy     `proxy serve`: the fault proxy with a Toxiproxy-compatible HTTP API
  report    a self-contained HTML page of a journal, or the history of several
  remote    drive a chaosrund over its API: runs, show, start, abort, halt, pause, resume

Options:
  --version                      print the version and exit
  --verbose                      debug output on the console
  --log-file PATH                also write a debug log to PATH
  --log-format text|json         console log format [text]
  -h, --help                     show this message (`chaosrun COMMAND --help` for a command)
)";
}

}  // namespace chaosrun::cli
