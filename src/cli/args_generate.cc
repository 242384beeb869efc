// The bash completion script and the man page, made from the option table (cli/options.h) by
// the build (share/completion/CMakeLists.txt runs `chaosrun completion bash` and
// `chaosrun man-page`). `remote` parses its own arguments (cli/remote_command.h): its words are
// listed here.
#include <algorithm>
#include <sstream>
#include <vector>

#include "cli/args.h"
#include "cli/options.h"
#include "cli/remote_command.h"
#include "common/version.h"

namespace chaosrun::cli {

namespace {

constexpr const char* kRemoteWords =
    "runs show start abort halt pause resume schedules experiments --address --token-file --json "
    "--schedule --outcome --limit --offset --var --reason --clear --help";

// Every option name of `command` (global ones included), space-separated.
std::string GenOptionWords(Command command, bool global_only) {
  std::vector<std::string> words;
  for (const OptionSpec& o : OptionTable()) {
    bool global = (o.commands & kGlobalOption) != 0;
    if (global_only ? !global : !AppliesTo(o, command)) continue;
    if (!ShortName(o).empty()) words.push_back(ShortName(o));
    if (std::find(words.begin(), words.end(), LongName(o)) == words.end()) {
      words.push_back(LongName(o));  // --json has a row per command
    }
  }
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// A roff text line: backslashes and dashes escaped, a leading dot or quote made literal.
std::string GenRoff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

void GenManOptions(std::ostringstream& out, bool global, Command command) {
  for (const OptionSpec& o : OptionTable()) {
    bool is_global = (o.commands & kGlobalOption) != 0;
    if (is_global != global || (!global && !AppliesTo(o, command))) continue;
    out << ".TP\n.B ";
    if (!ShortName(o).empty()) out << GenRoff(ShortName(o)) << ", ";
    out << GenRoff(LongName(o));
    if (o.value != nullptr) out << " \\fI" << GenRoff(o.value) << "\\fR";
    out << "\n" << GenRoff(o.help) << "\n";
  }
}

}  // namespace

std::string BashCompletion() {
  std::ostringstream out;
  std::string commands;
  for (const CommandSpec& c : CommandTable()) {
    if (!c.hidden) commands += std::string(commands.empty() ? "" : " ") + c.name;
  }
  std::string pattern;  // a `case` pattern: every command name, hidden ones too
  for (const CommandSpec& c : CommandTable())
    pattern += std::string(pattern.empty() ? "" : "|") + c.name;
  out << "# bash completion for chaosrun " << kVersion
      << " (made by `chaosrun completion bash` from its option table; do not edit)\n"
      << "_chaosrun() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      << "  local cmd=\"\" i words\n"
      << "  COMPREPLY=()\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case \"${COMP_WORDS[i]}\" in\n"
      << "      " << pattern << ")\n"
      << "        cmd=\"${COMP_WORDS[i]}\"; break ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  if [[ \"$cmd\" == remote ]]; then\n"
      << "    COMPREPLY=($(compgen -W \"" << kRemoteWords << "\" -- \"$cur\"))\n"
      << "    return 0\n"
      << "  fi\n"
      << "  case \"$prev\" in\n";
  for (const OptionSpec& o : OptionTable()) {
    if (o.value == nullptr) continue;
    std::string names = LongName(o);
    if (!ShortName(o).empty()) names = ShortName(o) + "|" + names;
    std::string c = o.complete == nullptr ? "" : o.complete;
    out << "    " << names << ") ";
    if (c == "file") {
      out << "COMPREPLY=($(compgen -f -- \"$cur\")); ";
    } else if (c == "dir") {
      out << "COMPREPLY=($(compgen -d -- \"$cur\")); ";
    } else if (!c.empty()) {
      out << "COMPREPLY=($(compgen -W \"" << c << "\" -- \"$cur\")); ";
    }
    out << "return 0 ;;\n";  // a value without a list: nothing to offer
  }
  out << "  esac\n"
      << "  case \"$cmd\" in\n";
  for (const CommandSpec& c : CommandTable()) {
    if (c.command == Command::kRemote) continue;
    out << "    " << c.name << ") words=\"" << GenOptionWords(c.command, false) << "\" ;;\n";
  }
  out << "    *) words=\"" << GenOptionWords(Command::kHelp, true) << "\" ;;\n"
      << "  esac\n"
      << "  if [[ \"$cur\" == -* ]]; then\n"
      << "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      << "    return 0\n"
      << "  fi\n"
      << "  case \"$cmd\" in\n"
      << "    \"\") COMPREPLY=($(compgen -W \"" << commands << "\" -- \"$cur\") "
      << "$(compgen -f -- \"$cur\")) ;;\n"
      << "    proxy) COMPREPLY=($(compgen -W \"serve\" -- \"$cur\")) ;;\n"
      << "    help) COMPREPLY=($(compgen -W \"" << commands << "\" -- \"$cur\")) ;;\n"
      << "    completion) COMPREPLY=($(compgen -W \"bash\" -- \"$cur\")) ;;\n"
      << "    drivers|recover|halt|man-page) ;;\n"
      << "    *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
      << "  esac\n"
      << "  return 0\n"
      << "}\n"
      << "complete -o filenames -F _chaosrun chaosrun\n";
  return out.str();
}

std::string ManPage() {
  std::ostringstream out;
  out << ".\\\" chaosrun(1), made by `chaosrun man-page` from its option table; do not edit.\n"
      << ".TH CHAOSRUN 1 \"\" \"chaosrun " << kVersion << "\" \"User Commands\"\n"
      << ".SH NAME\nchaosrun \\- a native runner for Chaos Toolkit experiments\n"
      << ".SH SYNOPSIS\n"
      << ".B chaosrun\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n.br\n"
      << ".B chaosrun\n[\\fIOPTIONS\\fR] \\fISOURCE\\fR\n"
      << ".SH DESCRIPTION\n"
      << GenRoff(
             "chaosrun reads Chaos Toolkit experiments (JSON or YAML), gives them the same "
             "meaning, "
             "injects faults through driver plugins whose undo is written to a synced ledger "
             "first, and always leaves a journal. `chaosrun SOURCE` is `chaosrun run SOURCE`. "
             "Options may come before or after the command; `--` ends options; both "
             "`--flag value` and `--flag=value` work.")
      << "\n.SH COMMANDS\n";
  for (const CommandSpec& c : CommandTable()) {
    if (c.hidden && c.command != Command::kCompletion && c.command != Command::kManPage) continue;
    out << ".SS " << GenRoff(c.name) << "\n.nf\n" << GenRoff(c.usage) << "\n.fi\n.PP\n";
    out << GenRoff(c.description);
    if (c.command == Command::kRemote) {
      out << ".PP\n.nf\n" << GenRoff(RemoteHelpText()) << ".fi\n";
      continue;
    }
    GenManOptions(out, false, c.command);
    if (c.epilog[0] != '\0') out << ".PP\n" << GenRoff(c.epilog);
  }
  out << ".SH GLOBAL OPTIONS\n";
  GenManOptions(out, true, Command::kHelp);
  out << ".SH EXIT STATUS\n"
      << GenRoff(
             "0: completed and not deviated (validate: valid). 1: failed, aborted, interrupted, "
             "deviated, or an invalid or unloadable experiment. 2: usage error. 70: internal "
             "error in chaosrun (a bug).")
      << "\n.SH SEE ALSO\n"
      << GenRoff(
             "chaosrund --help; docs/cli.md, docs/safety.md and docs/compat.md in the chaosrun "
             "sources.")
      << "\n";
  return out.str();
}

}  // namespace chaosrun::cli
