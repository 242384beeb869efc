// The fixture every CLI test uses: a fresh temporary directory as chaosrun's working directory,
// a state directory and a journal path inside it (so nothing touches /var/lib/chaosrun or the
// source tree), and helpers to write experiments and read the journal back.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "chaosrun_process.h"
#include "common/json.h"
#include "support/temp_dir.h"

namespace chaosrun::clitest {

class CliTest : public ::testing::Test {
 protected:
  std::filesystem::path Dir() const { return tmp_.path(); }
  std::string StateDir() const { return (tmp_.path() / "state").string(); }
  std::string JournalPath() const { return (tmp_.path() / "journal.json").string(); }
  std::string Write(const std::string& name, const std::string& content) const {
    return tmp_.Write(name, content);
  }
  // An example shipped in experiments/examples/.
  static std::string Example(const std::string& name) {
    return std::string(CHAOSRUN_SOURCE_DIR) + "/experiments/examples/" + name;
  }

  // `chaosrun <args...>` in Dir(), exactly as given.
  Outcome Raw(std::vector<std::string> args, std::vector<std::string> env = {}) const {
    return RunChaosrun({std::move(args), Dir(), std::move(env)});
  }
  // `chaosrun run --state-dir … --journal-path … <args...>`.
  Outcome Run(std::vector<std::string> args, std::vector<std::string> env = {}) const {
    return RunChaosrun({RunArgs(std::move(args)), Dir(), std::move(env)});
  }
  std::vector<std::string> RunArgs(std::vector<std::string> args) const {
    std::vector<std::string> all = {"run", "--state-dir", StateDir(), "--journal-path",
                                    JournalPath()};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }

  bool JournalExists() const { return std::filesystem::exists(JournalPath()); }
  // The journal as an ordered JSON document; fails the test if it is missing or not JSON.
  Json Journal() const {
    std::string text = ReadFile(JournalPath());
    EXPECT_FALSE(text.empty()) << "no journal at " << JournalPath();
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "the journal is not valid JSON:\n" << text;
    return j;
  }

 private:
  chaosrun::testing::TempDir tmp_;
};

// A process activity (list arguments, no shell).
Json ProcessActivity(const std::string& type, const std::string& name, const std::string& path,
                     const Json& arguments);
// An experiment with the given method and optional hypothesis probes and rollbacks.
Json Experiment(const Json& method, const Json& probes = Json(nullptr),
                const Json& rollbacks = Json(nullptr));

}  // namespace chaosrun::clitest
