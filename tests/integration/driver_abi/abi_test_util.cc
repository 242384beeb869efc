#include "abi_test_util.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace chaosrun::abi_test {

namespace fs = std::filesystem;

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Ninja treats '$' specially everywhere in a command.
std::string NinjaEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

}  // namespace

fs::path BuildDir() { return fs::path(CHAOSRUN_BINARY).parent_path().parent_path(); }

std::string CacheValue(const std::string& key, const std::string& fallback) {
  std::ifstream in(BuildDir() / "CMakeCache.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    return value.empty() ? fallback : value;
  }
  return fallback;
}

std::string CMakeCommand() { return CacheValue("CMAKE_COMMAND", "cmake"); }
std::string NinjaCommand() { return CacheValue("CMAKE_MAKE_PROGRAM", "ninja"); }
std::string CxxCompiler() { return CacheValue("CMAKE_CXX_COMPILER", "c++"); }

std::string ShellQuote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CommandResult RunCommand(const std::string& command, const fs::path& log) {
  std::string full = "(" + command + ") </dev/null >" + ShellQuote(log.string()) + " 2>&1";
  int rc = std::system(full.c_str());
  CommandResult r;
  if (rc != -1 && WIFEXITED(rc)) r.exit_code = WEXITSTATUS(rc);
  r.output = ReadFile(log);
  return r;
}

std::string CompileDrivers(const fs::path& dir, const std::map<std::string, std::string>& sources) {
  std::ostringstream ninja;
  ninja << "rule cxx\n  command = "
        << NinjaEscape(ShellQuote(CxxCompiler()) + " -std=c++17 -O0 -shared -fPIC -w -I" +
                       ShellQuote((fs::path(CHAOSRUN_SOURCE_DIR) / "include").string()))
        << " -o $out $in\n  description = $out\n";
  for (const auto& [name, text] : sources) {
    std::ofstream(dir / (name + ".cc"), std::ios::binary) << text;
    ninja << "build " << name << ".so: cxx " << name << ".cc\n";
  }
  std::ofstream(dir / "build.ninja") << ninja.str();
  CommandResult r = RunCommand(ShellQuote(NinjaCommand()) + " -j2 -C " + ShellQuote(dir.string()),
                               dir / "compile.log");
  // Leave only the libraries (and stray files a test adds) in the directory it loads.
  for (const auto& [name, text] : sources) fs::remove(dir / (name + ".cc"));
  for (const char* f : {"build.ninja", ".ninja_log", ".ninja_deps"}) fs::remove(dir / f);
  if (r.ok()) {
    fs::remove(dir / "compile.log");
    return "";
  }
  return "compiling test drivers failed (exit " + std::to_string(r.exit_code) + "):\n" + r.output;
}

}  // namespace chaosrun::abi_test
