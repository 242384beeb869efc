#include "console_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "support/process_helpers.h"

namespace chaosrun::consoletest {

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<std::string> ConsoleTest::Argv(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {CHAOSRUN_BINARY,  "run",        "--state-dir", Path("state"),
                                   "--journal-path", JournalPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Json ConsoleTest::Journal() const {
  Json j = Json::parse(Slurp(JournalPath()), nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json() : j;
}

Ran ConsoleTest::Run(const std::vector<std::string>& args) const {
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = Path("stdout.txt");
  files.stderr_path = Path("stderr.txt");
  std::string error;
  Ran r;
  r.code = chaosrun::testing::RunWithFiles(Argv(args), files, &error);
  EXPECT_GE(r.code, 0) << error;
  r.out = Slurp(files.stdout_path);
  r.err = Slurp(files.stderr_path);
  return r;
}

Ran ConsoleTest::RunOnTerminal(const std::vector<std::string>& args) const {
  Ran r;
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    ADD_FAILURE() << "no pseudo-terminal: " << std::strerror(errno);
    if (master >= 0) ::close(master);
    return r;
  }
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = Path("stdout.txt");
  files.stderr_path = ::ptsname(master);
  std::string error;
  pid_t pid = chaosrun::testing::SpawnWithFiles(Argv(args), files, &error);
  if (pid < 0) {
    ADD_FAILURE() << error;
    ::close(master);
    return r;
  }
  // Read the terminal until the child has exited and closed its side (EIO on Linux).
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      r.err.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  r.code = chaosrun::testing::WaitForExit(pid);
  ::close(master);
  r.out = Slurp(files.stdout_path);
  return r;
}

std::vector<std::string> LinesWith(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

Json Shell(const std::string& type, const std::string& name, const std::string& script) {
  return {{"type", type},
          {"name", name},
          {"provider", {{"type", "process"}, {"path", "sh"}, {"arguments", {"-c", script}}}}};
}

}  // namespace chaosrun::consoletest
