// `chaosrun --help` and `chaosrun COMMAND --help`, made from the option table (cli/options.h).
#include <sstream>

#include "cli/args.h"
#include "cli/options.h"
#include "cli/remote_command.h"

namespace chaosrun::cli {

namespace {

constexpr size_t kHelpColumn = 33;  // where an option's text starts
constexpr size_t kHelpWidth = 99;

// `text` wrapped to `width` columns, every line after the first indented by `indent`.
std::string HelpWrap(const std::string& text, size_t first_used, size_t indent, size_t width) {
  std::istringstream words(text);
  std::string out, word;
  size_t used = first_used;
  bool first = true;
  while (words >> word) {
    if (!first && used + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      used = indent;
    } else if (!first) {
      out += ' ';
      ++used;
    }
    out += word;
    used += word.size();
    first = false;
  }
  return out;
}

void HelpOptions(std::ostringstream& out, const char* heading, bool global, Command command) {
  bool any = false;
  for (const OptionSpec& o : OptionTable()) {
    bool is_global = (o.commands & kGlobalOption) != 0;
    if (is_global != global || (!global && !AppliesTo(o, command))) continue;
    if (!any) out << "\n" << heading << ":\n";
    any = true;
    std::string left = "  ";
    if (!ShortName(o).empty()) left += ShortName(o) + ", ";
    left += LongName(o);
    if (o.value != nullptr) left += std::string(" ") + o.value;
    out << left;
    if (left.size() + 1 > kHelpColumn) {
      out << "\n" << std::string(kHelpColumn, ' ');
    } else {
      out << std::string(kHelpColumn - left.size(), ' ');
    }
    out << HelpWrap(o.help, kHelpColumn, kHelpColumn, kHelpWidth) << "\n";
  }
}

void HelpUsage(std::ostringstream& out, const std::string& usage) {
  std::istringstream lines(usage);
  bool first = true;
  for (std::string line; std::getline(lines, line);) {
    out << (first ? "Usage: " : "       ") << line << "\n";
    first = false;
  }
}

}  // namespace

std::string HelpText(const std::string& topic) {
  std::ostringstream out;
  const CommandSpec* spec = topic.empty() ? nullptr : FindCommand(topic);
  if (spec != nullptr && spec->command == Command::kRemote) return RemoteHelpText();
  if (spec == nullptr || spec->command == Command::kHelp) {
    HelpUsage(out,
              "chaosrun [OPTIONS] COMMAND [ARGS]...\n"
              "chaosrun [OPTIONS] SOURCE          (same as `chaosrun run SOURCE`)");
    out << "\nA native runner for Chaos Toolkit experiments.\n\nCommands:\n";
    for (const CommandSpec& c : CommandTable()) {
      if (c.hidden) continue;
      std::string name = c.name;
      out << "  " << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << c.summary
          << "\n";
    }
    HelpOptions(out, "Options", true, Command::kHelp);
    return out.str();
  }
  HelpUsage(out, spec->usage);
  out << "\n" << spec->description;
  HelpOptions(out, "Options", false, spec->command);
  HelpOptions(out, "Global options", true, spec->command);
  if (spec->epilog[0] != '\0') out << "\n" << spec->epilog;
  return out.str();
}

}  // namespace chaosrun::cli
