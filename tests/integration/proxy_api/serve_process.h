// `chaosrun proxy serve` as a child process: stdout is a pipe (the test reads the "API
// listening on" line to learn the port), stderr goes to a file, the stop signals are unblocked
// and at their defaults in the child whatever the test runner inherited.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace chaosrun::apitest {

struct Exit {
  int code = -1;    // exit status, or 128 + signal
  std::string err;  // everything the child wrote on stderr
};

class ServeProcess {
 public:
  // Starts CHAOSRUN_BINARY with `args` (without argv[0]).
  explicit ServeProcess(const std::vector<std::string>& args);
  ~ServeProcess();  // SIGKILL and reap if the test did not Wait()
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The next line of stdout, without '\n'; nullopt at end of file or after `timeout_ms`.
  std::optional<std::string> ReadLine(int timeout_ms = 20000);
  // Reads the "chaosrun proxy: API listening on http://127.0.0.1:PORT" line and returns PORT
  // (0 if the child printed something else or exited).
  int WaitForApiPort();
  void Signal(int sig);
  Exit Wait();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  std::string err_path_;
  std::string pending_;
};

}  // namespace chaosrun::apitest
