#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>

#include "cli/options.h"

namespace chaosrun::cli {

namespace {

Status UsageError(std::string message) { return Status::InvalidArgument(std::move(message)); }

// Where the command word is: the first argument that is neither an option nor an option's value
// (a value-taking option without `=value` takes the next argument, as CLI11 does).
struct CommandWord {
  size_t index = 0;           // argv.size() if there is none
  bool after_dashes = false;  // it follows `--`: a SOURCE, never a command
  bool help = false;          // --help or -h before `--` (and not after `remote`)
  bool version = false;       // --version, likewise
  std::string unknown;        // the first unknown option before the command word
};

CommandWord FindCommandWord(const std::vector<std::string>& argv) {
  CommandWord w;
  w.index = argv.size();
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") {
      if (w.index == argv.size() && i + 1 < argv.size()) {
        w.index = i + 1;
        w.after_dashes = true;
      }
      return w;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (w.index == argv.size()) {
        w.index = i;
        if (arg == "remote") return w;  // what follows is remote's (src/cli/remote_command.h)
      }
      continue;
    }
    std::string name = arg.substr(0, arg.find('='));
    if (name == "--help" || name == "-h") w.help = true;
    if (name == "--version") w.version = true;
    const OptionSpec* o = FindOption(name);
    if (o == nullptr && w.index == argv.size() && w.unknown.empty()) w.unknown = name;
    if (o != nullptr && o->value != nullptr && name.size() == arg.size()) ++i;
  }
  return w;
}

// `chaosrun x.json` is `chaosrun run x.json`: a word that is an existing file, or that looks like
// a path or a URL, is a SOURCE; any other word is a mistyped command.
bool LooksLikeSource(const std::string& word) {
  if (word == "-") return true;  // as before: a SOURCE that then does not load
  std::error_code ec;
  if (std::filesystem::exists(word, ec)) return true;
  return word.find('/') != std::string::npos || word.find('.') != std::string::npos;
}

std::string CommandList(uint32_t commands) {
  std::vector<std::string> names;
  for (const CommandSpec& c : CommandTable()) {
    if ((commands & Bit(c.command)) == 0) continue;
    names.push_back(std::string("`chaosrun ") + c.name +
                    (c.command == Command::kProxy ? " serve`" : "`"));
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

Status UnknownOption(const std::string& arg, Command command) {
  std::string name = arg.substr(0, arg.find('='));
  uint32_t elsewhere = 0;  // an option may have a row per group of commands (--json)
  for (const OptionSpec& o : OptionTable()) {
    if (LongName(o) == name || (!ShortName(o).empty() && ShortName(o) == name)) {
      elsewhere |= o.commands;
    }
  }
  if (elsewhere != 0) {
    return UsageError("no such option: " + name + " (it only applies to " + CommandList(elsewhere) +
                      ")");
  }
  std::vector<std::string> known;
  for (const OptionSpec& o : OptionTable()) {
    if (AppliesTo(o, command)) known.push_back(LongName(o));
  }
  std::string near = Closest(name, known);
  return UsageError("no such option: " + name +
                    (near.empty() ? std::string() : "; did you mean '" + near + "'?"));
}

// Click's words, as the reference says them: "No such command 'rnu'. Did you mean 'run'?"
Status NoSuchCommand(const std::string& word) {
  std::vector<std::string> names;
  for (const CommandSpec& c : CommandTable()) {
    if (!c.hidden) names.emplace_back(c.name);
  }
  std::string near = Closest(word, names);
  return UsageError("No such command '" + word + "'." +
                    (near.empty() ? std::string() : " Did you mean '" + near + "'?"));
}

// CLI11's own wording of a value problem, as ours: "option --journal-path needs a value".
Status FromCli11(const CLI::ParseError& e) {
  std::string what = e.what();
  std::string name = what.substr(0, what.find_first_of(": "));
  while (!name.empty() && name[0] == '-') name.erase(0, 1);
  if (what.find("flag override") != std::string::npos) {
    return UsageError("option --" + name + " does not take a value");
  }
  if (what.find("required") != std::string::npos && what.find("missing") != std::string::npos) {
    return UsageError("option --" + name + " needs a value");
  }
  return UsageError(what);
}

// The arguments other than options, for the command that has them.
Status CheckPositionals(Args& a, const std::vector<std::string>& positional) {
  switch (a.command) {
    case Command::kHelp:
      a.help_topic = positional.empty() ? "" : positional[0];
      if (!a.help_topic.empty() && FindCommand(a.help_topic) == nullptr) {
        return NoSuchCommand(a.help_topic);
      }
      if (positional.size() > 1) return UsageError("unexpected argument: " + positional[1]);
      return Status::Ok();
    case Command::kRemote:  // its arguments are remote_args (src/cli/remote_command.h)
      return Status::Ok();
    case Command::kProxy:
      if (positional.empty()) return UsageError("missing argument: serve");
      if (positional[0] != "serve") {
        return UsageError("unknown proxy command '" + positional[0] +
                          "' (the only one is `chaosrun proxy serve`)");
      }
      if (positional.size() > 1) return UsageError("unexpected argument: " + positional[1]);
      a.proxy_action = positional[0];
      return Status::Ok();
    case Command::kReport:
      if (positional.empty()) return UsageError("missing argument: JOURNAL");
      if (positional.size() > 1 && a.report_output.empty()) {
        return UsageError(
            "a history of several journals needs --output FILE (where to write the page)");
      }
      a.report_journals = positional;
      return Status::Ok();
    case Command::kCompletion:
      if (positional.empty()) return UsageError("missing argument: SHELL (bash)");
      if (positional[0] != "bash") {
        return UsageError("completion: no such shell '" + positional[0] + "' (the one is bash)");
      }
      if (positional.size() > 1) return UsageError("unexpected argument: " + positional[1]);
      a.completion_shell = positional[0];
      return Status::Ok();
    case Command::kRecover:
      if (a.list && !a.forget_id.empty()) {
        return UsageError("--list and --forget cannot be used together");
      }
      if (a.force && (a.list || !a.forget_id.empty())) {
        return UsageError("--force applies only to undoing, not to " +
                          std::string(a.list ? "--list" : "--forget"));
      }
      if (a.json_output && !a.list) {
        return UsageError("--json applies only to `chaosrun recover --list`");
      }
      [[fallthrough]];
    case Command::kDrivers:
    case Command::kHalt:
    case Command::kManPage:
      if (!positional.empty()) return UsageError("unexpected argument: " + positional[0]);
      return Status::Ok();
    default:
      break;
  }
  if (positional.empty()) return UsageError("missing argument: SOURCE");
  if (positional.size() > 1) return UsageError("unexpected extra argument: " + positional[1]);
  a.source = positional[0];
  return Status::Ok();
}

// Parses `argv` (the command word removed) as options of `command` with CLI11, then stores each
// option through its row of the table.
Status ParseOptions(Args& a, std::vector<std::string> argv, std::vector<std::string>& positional) {
  CLI::App app("chaosrun");
  app.set_help_flag();  // ours: found before parsing (FindCommandWord)
  app.allow_extras(true);
  std::span<const OptionSpec> table = OptionTable();
  std::vector<CLI::Option*> added(table.size(), nullptr);
  std::vector<std::vector<std::string>> values(table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    const OptionSpec& o = table[i];
    if (!AppliesTo(o, a.command)) continue;
    if (o.value == nullptr) {
      added[i] = app.add_flag(o.names)->disable_flag_override();
    } else {
      added[i] =
          app.add_option(o.names, values[i])->expected(1)->take_all()->allow_extra_args(false);
    }
  }
  app.add_option("args", positional);
  std::reverse(argv.begin(), argv.end());  // CLI11 takes a vector last argument first
  try {
    app.parse(argv);
  } catch (const CLI::ParseError& e) {
    return FromCli11(e);
  }
  for (const std::string& extra : app.remaining()) {
    if (extra != "--" && extra.size() > 1 && extra[0] == '-')
      return UnknownOption(extra, a.command);
  }
  for (size_t i = 0; i < table.size(); ++i) {
    if (added[i] == nullptr || table[i].apply == nullptr) continue;
    if (table[i].value == nullptr) {
      if (added[i]->count() > 0) {
        if (Status st = table[i].apply(a, ""); !st.ok()) return st;
      }
      continue;
    }
    for (const std::string& v : values[i]) {
      if (Status st = table[i].apply(a, v); !st.ok()) return st;
    }
  }
  return Status::Ok();
}

// `--journal-path=` (an empty inline value, e.g. from an unset variable) is a usage error: CLI11
// would take the next argument as the value, and a journal or log could overwrite that file.
Status RefuseEmptyInlineValues(const std::vector<std::string>& argv, size_t end) {
  for (size_t i = 0; i < end && i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0 || arg.back() != '=') continue;
    const std::string name = arg.substr(0, arg.size() - 1);
    if (name.find('=') != std::string::npos) continue;
    const OptionSpec* o = FindOption(name);
    if (o == nullptr) continue;  // unknown: reported as such later
    if (o->value == nullptr) return UsageError("option " + name + " does not take a value");
    return UsageError("option " + name + " needs a value");
  }
  return Status::Ok();
}

Result<Args> ParseArgsOrThrow(const std::vector<std::string>& argv) {
  Args a;
  CommandWord word = FindCommandWord(argv);
  const bool remote =
      word.index < argv.size() && !word.after_dashes && argv[word.index] == "remote";
  if (Status st = RefuseEmptyInlineValues(argv, remote ? word.index : argv.size()); !st.ok()) {
    return Err(st);
  }
  std::vector<std::string> rest = argv;
  bool explicit_command = false;
  if (word.index < argv.size()) {
    const std::string& w = argv[word.index];
    const CommandSpec* spec = word.after_dashes ? nullptr : FindCommand(w);
    if (spec != nullptr) {
      a.command = spec->command;
      explicit_command = true;
      if (a.command == Command::kRemote) {  // its own flags: src/cli/remote_command.h
        a.remote_args.assign(argv.begin() + static_cast<std::ptrdiff_t>(word.index) + 1,
                             argv.end());
        rest.assign(argv.begin(), argv.begin() + static_cast<std::ptrdiff_t>(word.index));
      } else {
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(word.index));
      }
    } else if (word.after_dashes || LooksLikeSource(w)) {
      a.command = Command::kRun;  // `chaosrun FILE` is `chaosrun run FILE`
    } else if (!word.unknown.empty()) {
      return Err(UnknownOption(word.unknown, Command::kRun));  // its value taken for a command
    } else {
      return Err(NoSuchCommand(w));
    }
  } else {
    a.command = Command::kRun;  // options only: help, unless they are wrong
  }
  if (word.version) {
    a.command = Command::kVersion;
    return a;
  }
  if (word.help) {
    a.help_topic = explicit_command && a.command != Command::kHelp ? SpecOf(a.command).name : "";
    a.command = Command::kHelp;
    return a;
  }
  std::vector<std::string> positional;
  if (Status st = ParseOptions(a, rest, positional); !st.ok()) return Err(st);
  if (!explicit_command && positional.empty()) {
    a.command = Command::kHelp;
    return a;
  }
  if (Status st = CheckPositionals(a, positional); !st.ok()) return Err(st);
  return a;
}

}  // namespace

Result<Args> ParseArgs(const std::vector<std::string>& argv) {
  try {
    return ParseArgsOrThrow(argv);
  } catch (const std::exception& e) {  // CLI11 throws; nothing may leave the parser
    return Err(UsageError(e.what()));
  }
}

}  // namespace chaosrun::cli
