// The one table of `chaosrun`'s commands and options. The parser (args.cc, on CLI11), every
// --help text (args_help.cc), the bash completion and the man page (args_generate.cc) are made
// from it; tests/integration/cli_usage checks docs/cli.md against --help, so the docs cannot
// drift either. To add an option: one row in kOptionTable (options.cc), one row in docs/cli.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cli/args.h"
#include "common/status.h"

namespace chaosrun::cli {

// Which commands an option applies to (a bit per command).
inline constexpr uint32_t Bit(Command c) { return 1u << static_cast<uint32_t>(c); }
inline constexpr uint32_t kGlobalOption = 1u << 31;  // every command, before or after it

struct OptionSpec {
  const char* names;  // CLI11 syntax, "-v,--verbose"; the long name is the option's name
  const char* value;  // the value's name in help ("PATH"); nullptr for a flag
  uint32_t commands;  // Bit(...) | ..., or kGlobalOption
  const char* help;   // one paragraph, wrapped by whoever prints it
  // Stores one occurrence (flags: value ""), in command-line order; a usage error names the flag.
  Status (*apply)(Args& args, const std::string& value);
  // Completion of the value: "file", "dir", or the words it may be ("text json"); nullptr: none.
  const char* complete = nullptr;
};

struct CommandSpec {
  Command command;
  const char* name;
  const char* summary;      // one line: the general help, the man page
  const char* usage;        // "Usage: ..." lines (without the word "Usage: ")
  const char* description;  // paragraphs, already wrapped
  const char* epilog;       // exit codes and the like, already wrapped; "" for none
  bool hidden = false;      // not in the general help (internal: completion, man-page)
};

std::span<const OptionSpec> OptionTable();
std::span<const CommandSpec> CommandTable();

const CommandSpec* FindCommand(std::string_view name);
const CommandSpec& SpecOf(Command command);

// "--journal-path" for "--journal-path" or "-v,--verbose" -> "--verbose".
std::string LongName(const OptionSpec& option);
// "-v" for "-v,--verbose"; "" when the option has no short name.
std::string ShortName(const OptionSpec& option);

bool AppliesTo(const OptionSpec& option, Command command);

// The option named `name` ("--dry" or "-v") in the whole table, or nullptr.
const OptionSpec* FindOption(std::string_view name);

// The candidate closest to `word` within two edits (or a third of its length; a candidate that
// `word` begins counts as one edit), or "".
std::string Closest(std::string_view word, std::span<const std::string> candidates);

}  // namespace chaosrun::cli
