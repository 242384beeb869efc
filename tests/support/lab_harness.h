// The fire-drill lab (scripts/lab.sh) from a test: start it inside the test's temporary
// directory, read its state and var file, run chaosrun against it (in the foreground or in the
// background) with each command's output in its own log, and stop it whatever happened.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chaosrun::testing {

struct LoggedResult {
  int exit_code = -1;  // as WaitForExit: the code, 128 + a signal, or -1
  std::string output;  // stdout and stderr together
};

// The tools the lab needs that are not on PATH (plus /usr/sbin, /sbin), comma-separated; "" when
// all are there.
std::string MissingLabTools();

// A JSON file's value, or a discarded value when it is missing or not JSON.
nlohmann::json ReadJsonFile(const std::filesystem::path& p);

class LabHarness {
 public:
  // `dir`: the test's temporary directory (the lab's directory and state file go inside);
  // `chaosrun`: the binary the lab and the drills use; `source_dir`: the checkout (scripts/).
  LabHarness(std::filesystem::path dir, std::string chaosrun, std::string source_dir);
  ~LabHarness();  // `lab.sh down` when the lab is up
  LabHarness(const LabHarness&) = delete;
  LabHarness& operator=(const LabHarness&) = delete;

  // scripts/lab.sh with `args` ("up", "--ml", ...); its output goes to lab-<first arg>.log.
  LoggedResult Lab(const std::vector<std::string>& args);
  bool up() const { return up_; }

  nlohmann::json State() const;           // the state file (status --json)
  std::filesystem::path LabDir() const;   // its "dir"
  std::filesystem::path VarFile() const;  // <dir>/vars.json
  nlohmann::json Configuration() const;   // its "configuration" block

  // Starts argv in the background with the lab's environment, output to `log`: the pid.
  pid_t Start(const std::vector<std::string>& argv, const std::filesystem::path& log) const;
  // Waits for a child started by Start: its exit code and the log's text.
  static LoggedResult Finish(pid_t pid, const std::filesystem::path& log);
  LoggedResult Run(const std::vector<std::string>& argv, const std::filesystem::path& log) const {
    return Finish(Start(argv, log), log);
  }

  const std::string& chaosrun() const { return chaosrun_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::string chaosrun_;
  std::string source_dir_;
  std::vector<std::string> env_;  // this process's environment plus the lab's keys
  bool up_ = false;
};

}  // namespace chaosrun::testing
