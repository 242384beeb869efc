// Helpers for the driver ABI tests: where the build tree is, the tools it was configured with,
// running a shell command with its output kept in a file, and compiling small driver libraries
// on the fly (several at once, through a generated build.ninja, at most two jobs).
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace chaosrun::abi_test {

// The build tree that produced CHAOSRUN_BINARY (<build>/bin/chaosrun).
std::filesystem::path BuildDir();

// A value from <build>/CMakeCache.txt ("KEY:TYPE=value"), or `fallback` when absent.
std::string CacheValue(const std::string& key, const std::string& fallback);

std::string CMakeCommand();  // the cmake that configured the build
std::string NinjaCommand();  // its make program (Ninja)
std::string CxxCompiler();   // its C++ compiler

// Quotes a word for /bin/sh.
std::string ShellQuote(const std::string& word);

struct CommandResult {
  int exit_code = -1;  // -1 if the command did not exit normally
  std::string output;  // stdout and stderr, interleaved
  bool ok() const { return exit_code == 0; }
};

// Runs `command` with /bin/sh, stdin from /dev/null, stdout+stderr to `log` (kept).
CommandResult RunCommand(const std::string& command, const std::filesystem::path& log);

// Compiles each source (file name without extension -> C++ text) into `dir`/<name>.so with
// -shared -fPIC against include/ of this tree (plus nlohmann_json from the system). Returns
// the compiler output on failure, "" on success.
std::string CompileDrivers(const std::filesystem::path& dir,
                           const std::map<std::string, std::string>& sources);

}  // namespace chaosrun::abi_test
