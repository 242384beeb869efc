#include "cli/remote_command.h"

#include <cstdlib>
#include <iostream>

#include "api/server.h"
#include "cli/cli.h"
#include "common/cancel.h"
#include "common/encoding.h"
#include "providers/http_transfer.h"
#include "subst/configuration.h"

namespace chaosrun::cli {

// Named rather than anonymous: the CLI's files share unity batches.
namespace remote_internal {

const char* const kActions[] = {"runs",  "show",   "start",     "abort",      "halt",
                                "pause", "resume", "schedules", "experiments"};

bool NeedsName(const std::string& action) {
  return action == "show" || action == "start" || action == "abort" || action == "pause" ||
         action == "resume";
}

bool ParseWhole(const std::string& v, size_t& out) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  out = static_cast<size_t>(std::strtoul(v.c_str(), nullptr, 10));
  return true;
}

// Which flags each action takes.
bool FlagApplies(const std::string& flag, const std::string& action) {
  if (flag == "--address" || flag == "--token-file" || flag == "--json") return true;
  if (flag == "--schedule" || flag == "--outcome" || flag == "--limit" || flag == "--offset") {
    return action == "runs";
  }
  if (flag == "--var") return action == "start";
  if (flag == "--reason" || flag == "--clear") return action == "halt";
  return false;
}

struct Reply {
  long status = 0;
  Json body;
};

class Client {
 public:
  Client(std::string base, std::string token) : base_(std::move(base)), token_(std::move(token)) {}

  // The request's reply, or kUnavailable when chaosrund cannot be reached.
  Result<Reply> Send(const std::string& method, const std::string& path,
                     const std::optional<Json>& body = std::nullopt) const {
    providers::HttpRequest req;
    req.url = base_ + path;
    req.method = method;
    req.headers.push_back("Authorization: Bearer " + token_);
    req.headers.push_back("Accept: application/json");
    if (body) {
      req.headers.push_back("Content-Type: application/json");
      req.body = DumpCompact(*body);
    } else {
      req.suppress_content_type = true;
    }
    req.timeout.connect = 5;
    req.timeout.total = 60;
    providers::HttpResult res = providers::PerformHttp(req, CancelToken());
    if (res.error != providers::HttpResult::Error::kNone) {
      return Err(Status::Unavailable("cannot reach chaosrund at " + base_ + ": " + res.message));
    }
    Reply reply;
    reply.status = res.status;
    reply.body = Json::parse(res.body, nullptr, false);
    if (reply.body.is_discarded()) reply.body = Json(res.body);
    return reply;
  }

 private:
  std::string base_;
  std::string token_;
};

// A cell of a table: strings as they are, null as "-", booleans as yes/no.
std::string Cell(const Json& obj, const char* key) {
  const Json* v = Member(obj, key);
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_boolean()) return v->get<bool>() ? "yes" : "no";
  return DumpCompact(*v);
}

void PrintTable(const std::vector<std::pair<const char*, const char*>>& columns, const Json& rows) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  for (const auto& c : columns) width.push_back(std::string(c.first).size());
  if (rows.is_array()) {
    for (const Json& row : rows) {
      std::vector<std::string> line;
      for (size_t i = 0; i < columns.size(); ++i) {
        line.push_back(Cell(row, columns[i].second));
        width[i] = std::max(width[i], line.back().size());
      }
      cells.push_back(std::move(line));
    }
  }
  auto print = [&](const std::vector<std::string>& line) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(width[i] - line[i].size() + 2, ' ');
    }
    std::cout << out << "\n";
  };
  std::vector<std::string> header;
  for (const auto& c : columns) header.emplace_back(c.first);
  print(header);
  for (const auto& line : cells) print(line);
}

std::string ErrorReason(const Reply& r) {
  if (const Json* e = Member(r.body, "error"); e != nullptr && e->is_string()) {
    return e->get<std::string>();
  }
  return r.body.is_string() ? r.body.get<std::string>() : DumpCompact(r.body);
}

std::string Path(const std::string& prefix, const std::string& name,
                 const std::string& suffix = "") {
  return prefix + PercentEncode(name, false) + suffix;
}

int Print(const RemoteArgs& a, const Reply& r) {
  if (a.json || a.action == "show") {
    std::cout << DumpPretty(r.body) << "\n";
    return kExitOk;
  }
  if (a.action == "runs") {
    PrintTable({{"ID", "id"},
                {"SCHEDULE", "schedule"},
                {"EXPERIMENT", "experiment"},
                {"STATUS", "status"},
                {"DEVIATED", "deviated"},
                {"STARTED", "started"},
                {"ENDED", "ended"}},
               r.body.value("runs", Json::array()));
    size_t shown = r.body.value("runs", Json::array()).size();
    if (const Json* total = Member(r.body, "total"); total != nullptr && total->is_number()) {
      std::cout << shown << " of " << total->get<size_t>() << " runs\n";
    }
  } else if (a.action == "schedules") {
    PrintTable({{"NAME", "name"},
                {"EXPERIMENT", "experiment"},
                {"CRON", "cron"},
                {"PAUSED", "paused"},
                {"NEXT FIRE", "next_fire"},
                {"LAST OUTCOME", "last_outcome"},
                {"MISSED", "missed_fires"}},
               r.body.value("schedules", Json::array()));
  } else if (a.action == "experiments") {
    PrintTable({{"NAME", "name"}, {"TITLE", "title"}}, r.body.value("experiments", Json::array()));
  } else if (a.action == "start") {
    std::cout << "started run " << Cell(r.body, "id") << " of " << a.name << " ("
              << Cell(r.body, "status") << ")\n";
  } else if (a.action == "abort") {
    std::cout << "abort requested for run " << a.name << " (" << Cell(r.body, "status") << ")\n";
  } else if (a.action == "halt") {
    std::cout << (a.clear ? "halt cleared: faults are allowed again\n"
                          : "halted: every run is interrupted and no fault is applied\n");
  } else if (a.action == "pause" || a.action == "resume") {
    std::cout << "schedule " << a.name << (a.action == "pause" ? " paused\n" : " resumed\n");
  }
  return kExitOk;
}

// The request an action makes: method, path, body.
Result<std::tuple<std::string, std::string, std::optional<Json>>> RequestFor(const RemoteArgs& a) {
  using R = std::tuple<std::string, std::string, std::optional<Json>>;
  if (a.action == "runs") {
    std::string q;
    auto add = [&](const char* key, const std::string& v) {
      q += (q.empty() ? "?" : "&") + std::string(key) + "=" + PercentEncode(v, false);
    };
    if (!a.schedule.empty()) add("schedule", a.schedule);
    if (!a.outcome.empty()) add("outcome", a.outcome);
    if (a.offset) add("offset", std::to_string(*a.offset));
    if (a.limit) add("limit", std::to_string(*a.limit));
    return R{"GET", "/v1/runs" + q, std::nullopt};
  }
  if (a.action == "show") return R{"GET", Path("/v1/runs/", a.name), std::nullopt};
  if (a.action == "abort") return R{"POST", Path("/v1/runs/", a.name, "/abort"), std::nullopt};
  if (a.action == "start") {
    subst::Overrides overrides;
    for (const auto& v : a.vars) {
      if (Status st = subst::ParseVarArgument(v, overrides); !st.ok()) return Err(st);
    }
    // chaosrund takes only scalar vars (an object could declare a probe or an env lookup).
    for (const auto& [key, value] : overrides.configuration.items()) {
      if (value.is_object() || value.is_array()) {
        return Err(Status::InvalidArgument("invalid --var " + key +
                                           ": chaosrund accepts only a string, a number, a "
                                           "boolean or null (not a JSON object or array)"));
      }
    }
    Json body = {{"experiment", a.name}};
    if (!overrides.configuration.empty()) body["vars"] = overrides.configuration;
    return R{"POST", "/v1/runs", body};
  }
  if (a.action == "halt") {
    if (a.clear) return R{"DELETE", "/v1/halt", std::nullopt};
    return R{"POST", "/v1/halt", Json{{"reason", a.reason}}};
  }
  if (a.action == "pause" || a.action == "resume") {
    return R{"PATCH", Path("/v1/schedules/", a.name), Json{{"paused", a.action == "pause"}}};
  }
  if (a.action == "schedules") return R{"GET", "/v1/schedules", std::nullopt};
  return R{"GET", "/v1/experiments", std::nullopt};
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace remote_internal

Result<RemoteArgs> ParseRemoteArgs(const std::vector<std::string>& argv) {
  using namespace remote_internal;
  RemoteArgs a;
  std::vector<std::string> positional;
  bool options_done = false;
  std::vector<std::pair<std::string, std::optional<std::string>>> flags;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      a.help = true;
      return a;
    }
    std::string flag = arg;
    std::optional<std::string> value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    static const char* const kWithValue[] = {"--address", "--token-file", "--schedule", "--outcome",
                                             "--limit",   "--offset",     "--var",      "--reason"};
    bool takes_value = false;
    for (const char* f : kWithValue) takes_value = takes_value || flag == f;
    if (flag == "--token") {
      return Err(Status::InvalidArgument(
          "--token: a token on the command line shows in ps; use --token-file FILE or the "
          "CHAOSRUN_TOKEN environment variable"));
    }
    if (!takes_value && flag != "--json" && flag != "--clear") {
      return Err(Status::InvalidArgument("no such option: " + flag));
    }
    if (takes_value && !value) {
      if (i + 1 >= argv.size())
        return Err(Status::InvalidArgument("option " + flag + " needs a value"));
      value = argv[++i];
    }
    if (!takes_value && value) {
      return Err(Status::InvalidArgument("option " + flag + " does not take a value"));
    }
    flags.emplace_back(flag, value);
  }
  if (positional.empty()) {
    return Err(
        Status::InvalidArgument("missing command: one of runs, show, start, abort, halt, "
                                "pause, resume, schedules, experiments"));
  }
  a.action = positional[0];
  bool known = false;
  for (const char* k : kActions) known = known || a.action == k;
  if (!known) return Err(Status::InvalidArgument("unknown remote command '" + a.action + "'"));
  size_t want = NeedsName(a.action) ? 2 : 1;
  if (positional.size() < want) {
    const char* what = a.action == "start"                           ? "EXPERIMENT"
                       : a.action == "pause" || a.action == "resume" ? "SCHEDULE"
                                                                     : "RUN-ID";
    return Err(Status::InvalidArgument(std::string("missing argument: ") + what));
  }
  if (positional.size() > want) {
    return Err(Status::InvalidArgument("unexpected argument: " + positional[want]));
  }
  if (want == 2) a.name = positional[1];
  for (auto& [flag, value] : flags) {
    if (!FlagApplies(flag, a.action)) {
      return Err(Status::InvalidArgument("option " + flag + " does not apply to `remote " +
                                         a.action + "`"));
    }
    std::string v = value.value_or("");
    if (flag == "--address") a.address = v;
    if (flag == "--token-file") a.token_file = v;
    if (flag == "--json") a.json = true;
    if (flag == "--clear") a.clear = true;
    if (flag == "--schedule") a.schedule = v;
    if (flag == "--outcome") a.outcome = v;
    if (flag == "--var") a.vars.push_back(v);
    if (flag == "--reason") a.reason = v;
    if (flag == "--limit" || flag == "--offset") {
      size_t n = 0;
      if (!ParseWhole(v, n) || (flag == "--limit" && n == 0)) {
        return Err(Status::InvalidArgument(flag + " must be a whole number" +
                                           (flag == "--limit" ? " >= 1" : " >= 0")));
      }
      (flag == "--limit" ? a.limit : a.offset) = n;
    }
  }
  if (a.clear && !a.reason.empty()) {
    return Err(Status::InvalidArgument("--reason and --clear cannot be used together"));
  }
  return a;
}

int RemoteCommand(const Args& args) {
  using namespace remote_internal;
  auto parsed = ParseRemoteArgs(args.remote_args);
  if (!parsed) {
    std::cerr << "Error: " << parsed.error().message() << "\n"
              << "Try 'chaosrun remote --help' for help.\n";
    return kExitUsage;
  }
  const RemoteArgs& a = *parsed;
  if (a.help) {
    std::cout << RemoteHelpText();
    return kExitOk;
  }
  std::string address = !a.address.empty() ? a.address : Env("CHAOSRUN_ADDRESS");
  if (address.empty()) address = kDefaultRemoteAddress;
  while (!address.empty() && address.back() == '/') address.pop_back();
  if (address.rfind("http://", 0) != 0 && address.rfind("https://", 0) != 0) {
    std::cerr << "Error: the address must be an http:// or https:// URL, not '" << address << "'\n";
    return kExitUsage;
  }
  std::string token;
  if (!a.token_file.empty()) {
    auto loaded = api::LoadTokenFile(a.token_file);
    if (!loaded) {
      std::cerr << "Error: " << loaded.error().message() << "\n";
      return kExitUsage;
    }
    token = *loaded;
  } else {
    token = Env("CHAOSRUN_TOKEN");
    if (token.empty()) {
      std::cerr << "Error: no token: pass --token-file FILE or set CHAOSRUN_TOKEN\n";
      return kExitUsage;
    }
    for (char c : token) {
      if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
        std::cerr << "Error: CHAOSRUN_TOKEN holds a space or a control character\n";
        return kExitUsage;
      }
    }
  }
  auto request = RequestFor(a);
  if (!request) {
    std::cerr << "Error: " << request.error().message() << "\n";
    return kExitUsage;
  }
  const auto& [method, path, body] = *request;
  auto reply = Client(address, token).Send(method, path, body);
  if (!reply) {
    std::cerr << "Error: " << reply.error().message() << "\n";
    return kExitFailed;
  }
  if (reply->status < 200 || reply->status >= 300) {
    std::cerr << "Error: " << ErrorReason(*reply) << " (HTTP " << reply->status << ")\n";
    return kExitFailed;
  }
  return Print(a, *reply);
}

std::string RemoteHelpText() {
  return R"(Usage: chaosrun remote COMMAND [ARGS] [--address URL] [--token-file FILE] [--json]

Drive a chaosrund over its HTTP API (docs/daemon.md).

Commands:
  runs [--schedule S] [--outcome O] [--limit N] [--offset N]
                                 list runs, newest first (a page; the daemon caps --limit)
  show RUN-ID                    print a run's journal (or the live summary of a running one)
  start EXPERIMENT [--var KEY=VALUE]...
                                 queue a run of an experiment of the daemon's experiments
                                 directory (--var as for `chaosrun run`: KEY:TYPE=VALUE too)
  abort RUN-ID                   interrupt a queued or running run (its faults are undone)
  halt [--reason TEXT]           the kill switch: interrupt every run, refuse new faults
  halt --clear                   clear the kill switch
  pause SCHEDULE, resume SCHEDULE
  schedules                      list the schedules (next fire, last outcome, missed fires)
  experiments                    list the experiments the daemon can run

Options:
  --address URL                  the daemon [$CHAOSRUN_ADDRESS, else http://127.0.0.1:8475]
  --token-file FILE              the API token: the file's first line; the file must be private
                                 to you (mode 600) [else the token in $CHAOSRUN_TOKEN]. There
                                 is no --token: a token on the command line shows in ps
  --json                         print the API's JSON instead of a table or a line
  -h, --help                     show this message

Exit codes: 0 done; 1 the API refused (its reason is printed) or the daemon cannot be reached;
2 usage error.
)";
}

}  // namespace chaosrun::cli
