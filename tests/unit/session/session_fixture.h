// What the session tests share: a temporary directory with a state directory, an empty policy
// file and journals; the stubborn test driver (tests/drivers/stubborn_driver.cc, built into
// <build>/test-drivers) for faults whose undo appends a line to a log file; the real `process`
// provider (/bin/sh) for steps that leave marker files and wait for them. Nothing is faked: the
// session runs its whole pipeline, the ledger, the guard and the journal on disk.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/json.h"
#include "session/session.h"
#include "support/temp_dir.h"

namespace chaosrun::session {

inline std::filesystem::path SessionBuildDir() {
  return std::filesystem::path(CHAOSRUN_BINARY).parent_path().parent_path();
}
inline std::string TestDriverDir() { return (SessionBuildDir() / "test-drivers").string(); }

// Waits (bounded: 20 s of real time at most) until `pred` holds; the run is on another thread.
template <typename Pred>
bool WaitUntil(Pred pred) {
  for (int i = 0; i < 4000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

inline int CountLines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

inline Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(TestDriverDir() + "/libstubborn_driver.so"))
        << "build the test drivers first (" << TestDriverDir() << ")";
    policy_ = dir_.Write("policy.json", "{}\n");
  }

  std::string PathOf(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string StateDir() const { return PathOf("state"); }
  bool Exists(const std::string& name) const { return std::filesystem::exists(PathOf(name)); }

  Environment Env() const {
    Environment env;
    env.driver_dirs = {TestDriverDir()};
    env.installed_drivers = false;
    env.policy_path = policy_;
    env.state_dir = StateDir();
    return env;
  }

  RunRequest Request(const Json& experiment, const std::string& journal = "journal.json") const {
    RunRequest r;
    r.source = "test experiment";
    r.document = experiment;
    r.journal_path = PathOf(journal);
    r.env = Env();
    return r;
  }

  // A fault whose undo appends one line to <dir>/<tag>.undo.
  Json Fault(const std::string& tag) const {
    return {
        {"type", "action"},
        {"name", "fault-" + tag},
        {"provider",
         {{"type", "driver"},
          {"driver", "stubborn"},
          {"func", "fault"},
          {"arguments",
           {{"targets", Json::array({"test:stubborn/" + tag})}, {"log", PathOf(tag + ".undo")}}}}}};
  }
  // A `process` step running `script` with /bin/sh in the test's directory.
  Json Shell(const std::string& name, const std::string& script) const {
    return {{"type", "action"},
            {"name", name},
            {"provider",
             {{"type", "process"},
              {"path", "/bin/sh"},
              {"arguments", Json::array({"-c", "cd '" + dir_.path().string() + "' && " + script})},
              {"timeout", 60}}}};
  }
  // A step that creates `mine` and then waits (at most 30 s) for `other` to exist.
  Json Rendezvous(const std::string& mine, const std::string& other) const {
    return Shell("meet-" + mine, "touch " + mine + "; i=0; while [ ! -e " + other +
                                     " ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done; "
                                     "[ -e " +
                                     other + " ]");
  }
  static Json Experiment(const std::string& title, Json method) {
    return {{"version", "1.0.0"},
            {"title", title},
            {"description", "a session test"},
            {"method", std::move(method)}};
  }

  ::chaosrun::testing::TempDir dir_;
  std::string policy_;
};

}  // namespace chaosrun::session
