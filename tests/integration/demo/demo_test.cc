// scripts/demo.sh, the README's first command, run for real (without its set-up and build, on the
// chaosrun under test): it must end 0 in a healthy run with no ERROR or WARNING line, and show
// what it promises: the hypothesis, a driver fault through the ledger, the latency toxic through
// `chaosrun proxy serve`, a blast-radius refusal in one line, every fault undone, the summary and
// the journal. Its target (two python3 http.servers, the proxy, a `sleep`) listens on 127.0.0.1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun {
namespace {

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Demo, RunsHealthyAndShowsEveryPromise) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no python3 (the target)";
  testing::TempDir dir;
  const std::string out = (dir.path() / "demo.out").string();
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.push_back("DEMO_SKIP_SETUP=1");
  env.push_back("CHAOSRUN=" + std::filesystem::path(CHAOSRUN_BINARY).string());
  testing::SpawnFiles files;
  files.stdout_path = out;
  files.stderr_to_stdout = true;
  files.env = &env;
  std::string error;
  const std::string script =
      (std::filesystem::path(CHAOSRUN_SOURCE_DIR) / "scripts" / "demo.sh").string();
  const int code = testing::RunWithFiles({"bash", script}, files, &error);
  const std::string text = ReadAll(out);
  ASSERT_EQ(code, 0) << error << "\n" << text;

  EXPECT_EQ(text.find("ERROR"), std::string::npos) << text;
  EXPECT_EQ(text.find("WARNING"), std::string::npos) << text;
  for (const char* shown : {
           "Steady state hypothesis is met!",
           "fault injected: network.add_toxic on proxy web",
           "undo: remove toxic demo_latency_300ms from proxy web",
           "fault injected: process.stop on python3 (pid ",
           "undo: SIGCONT pid ",
           "refused:  freeze-a-bystander: blast radius: process:sleep/",
           "undone:   network.add_toxic",
           "undone:   process.stop",
           "status:   completed (exit code 0)",
           "toxics on proxy 'web': []",
           "ledger: no pending fault",
           "Journal written to ",
       }) {
    EXPECT_NE(text.find(shown), std::string::npos) << "missing: " << shown << "\n" << text;
  }
}

}  // namespace
}  // namespace chaosrun
