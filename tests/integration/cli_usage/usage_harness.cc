#include "usage_harness.h"

#include <fstream>
#include <sstream>

#include "support/process_helpers.h"
#include "support/temp_dir.h"

namespace chaosrun::usagetest {

namespace {

Ran RunCaptured(const std::filesystem::path& cwd, const std::vector<std::string>& argv) {
  Ran r;
  std::string out = (cwd / ".stdout").string(), err = (cwd / ".stderr").string();
  testing::SpawnFiles files;
  files.stdout_path = out;
  files.stderr_path = err;
  // The child runs in `cwd`: through `cd` in a shell, so the helper stays the one spawn helper.
  std::vector<std::string> in_dir = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd.string()};
  in_dir.insert(in_dir.end(), argv.begin(), argv.end());
  std::string error;
  r.exit_code = testing::RunWithFiles(in_dir, files, &error);
  r.out = ReadWhole(out);
  r.err = ReadWhole(err) + error;
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace

std::filesystem::path ChaosrunBinary() { return CHAOSRUN_BINARY; }
std::filesystem::path SourceDir() { return CHAOSRUN_SOURCE_DIR; }
std::filesystem::path BuildShareDir() {
  return ChaosrunBinary().parent_path().parent_path() / "share";
}

Ran RunChaosrunIn(const std::filesystem::path& cwd, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ChaosrunBinary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCaptured(cwd, argv);
}

Ran RunBash(const std::filesystem::path& cwd, const std::string& script) {
  return RunCaptured(cwd, {"bash", "--norc", "--noprofile", "-c", script});
}

std::string ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace chaosrun::usagetest
