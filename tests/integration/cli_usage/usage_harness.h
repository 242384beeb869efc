// The cli_usage tests run the real chaosrun binary (CHAOSRUN_BINARY) and read what it prints, the
// files the build generated from its option table, and docs/cli.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace chaosrun::usagetest {

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs chaosrun with `args` in `cwd` (the test's temporary directory), stdout and stderr captured.
Ran RunChaosrunIn(const std::filesystem::path& cwd, const std::vector<std::string>& args);

// Runs `bash -c script` in `cwd`; stdout and stderr captured.
Ran RunBash(const std::filesystem::path& cwd, const std::string& script);

std::filesystem::path ChaosrunBinary();
std::filesystem::path SourceDir();
std::filesystem::path BuildShareDir();  // <build>/share: completion and man page

std::string ReadWhole(const std::filesystem::path& path);

}  // namespace chaosrun::usagetest
