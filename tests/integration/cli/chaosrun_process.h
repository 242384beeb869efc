// Runs the real chaosrun binary as a child process for the CLI integration tests: a chosen
// working directory, extra environment variables, stdout and stderr captured to files, and the
// run signals (SIGINT, SIGTERM, SIGUSR1, SIGUSR2) reset to their defaults and unblocked in the
// child so a test can interrupt it whatever the test runner inherited.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace chaosrun::clitest {

struct Outcome {
  int exit_code = -1;  // the exit status, or 128 + signal if the child was killed
  std::string out;     // everything written on stdout
  std::string err;     // everything written on stderr
};

struct Invocation {
  std::vector<std::string> args;  // without argv[0]
  std::filesystem::path cwd;      // the child's working directory
  std::vector<std::string> env;   // extra "KEY=VALUE" entries (override inherited ones)
};

class ChaosrunProcess {
 public:
  // Starts CHAOSRUN_BINARY; aborts the test binary if fork fails.
  explicit ChaosrunProcess(const Invocation& inv);
  ~ChaosrunProcess();  // kills (SIGKILL) and reaps the child if the test did not Wait()
  ChaosrunProcess(const ChaosrunProcess&) = delete;
  ChaosrunProcess& operator=(const ChaosrunProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True while the child has not exited (never reaps).
  bool Running() const;
  // Waits for the child and returns its exit code and output.
  Outcome Wait();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

// Runs chaosrun to its end.
Outcome RunChaosrun(const Invocation& inv);

// Reads a whole file ("" if it cannot be read).
std::string ReadFile(const std::filesystem::path& path);

// A process whose command line has `token` as one whole argument, if one exists right now.
std::optional<pid_t> FindProcessWithArg(const std::string& token);

// Scans /proc for a process whose command line has `token` as one whole argument and returns its
// pid. Polls (yielding the CPU between scans) until it appears or until `parent` (the chaosrun
// process) has exited.
std::optional<pid_t> WaitForProcessWithArg(const std::string& token, const ChaosrunProcess& parent);

}  // namespace chaosrun::clitest
