#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/process_helpers.h"

extern char** environ;

namespace chaosrun::safety_test {

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds cap) {
  auto deadline = std::chrono::steady_clock::now() + cap;
  long pause_ns = 1000000;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    timespec ts{0, pause_ns};
    ::nanosleep(&ts, nullptr);
    pause_ns = std::min(pause_ns * 2, 20000000L);
  }
  return true;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void Touch(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) ::close(fd);
}

size_t LineCount(const std::string& path) {
  std::string s = ReadFile(path);
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

bool LedgerEmpty(const std::string& state_dir) {
  struct stat st {};
  std::string p = state_dir + "/ledger.jsonl";
  if (::stat(p.c_str(), &st) != 0) return true;
  return st.st_size == 0;
}

char StateOf(pid_t pid) {
  std::string text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return '?';
  return text[close + 2];
}

bool IsRunning(pid_t pid) {
  char s = StateOf(pid);
  return s == 'S' || s == 'R' || s == 'D';
}

bool IsStopped(pid_t pid) {
  char s = StateOf(pid);
  return s == 'T' || s == 't';
}

std::string Chaosrun::Output() const {
  return "chaosrun (pid " + std::to_string(pid) + ", exit " + std::to_string(exit_code) +
         ")\n--- stdout ---\n" + ReadFile(out_path) + "--- stderr ---\n" + ReadFile(err_path);
}

Chaosrun StartChaosrun(const std::vector<std::string>& args, const std::string& dir,
                       const std::string& tag) {
  Chaosrun c;
  c.out_path = dir + "/" + tag + ".stdout";
  c.err_path = dir + "/" + tag + ".stderr";
  std::vector<std::string> argv = {CHAOSRUN_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = c.out_path;
  files.stderr_path = c.err_path;
  std::string error;
  c.pid = chaosrun::testing::SpawnWithFiles(argv, files, &error);
  if (c.pid == -1) ADD_FAILURE() << error;
  return c;
}

bool WaitChaosrun(Chaosrun& c, std::chrono::milliseconds cap) {
  if (c.pid <= 0) return false;
  int status = 0;
  bool exited = WaitUntil(
      [&] {
        pid_t r = ::waitpid(c.pid, &status, WNOHANG);
        return r == c.pid;
      },
      cap);
  if (!exited) {
    ::kill(c.pid, SIGKILL);
    ::waitpid(c.pid, &status, 0);
  }
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exited;
}

Chaosrun RunChaosrun(const std::vector<std::string>& args, const std::string& dir,
                     const std::string& tag) {
  Chaosrun c = StartChaosrun(args, dir, tag);
  if (!WaitChaosrun(c)) ADD_FAILURE() << "chaosrun did not exit within 60 s\n" << c.Output();
  return c;
}

pid_t Spawn(const std::vector<std::string>& argv) {
  std::vector<std::string> copy = argv;
  std::vector<char*> cargv;
  for (auto& a : copy) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, copy[0].c_str(), &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(rc);
    return -1;
  }
  return pid;
}

void KillAndReap(pid_t pid) {
  if (pid <= 1) return;
  ::kill(pid, SIGCONT);
  ::kill(pid, SIGKILL);
  int status = 0;
  WaitUntil([&] {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    return r == pid || (r < 0 && errno == ECHILD);
  });
}

void ReapExited() {
  int status = 0;
  while (::waitpid(-1, &status, WNOHANG) > 0) {
  }
}

bool WasStoppedOrContinued(pid_t pid) {
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG | WUNTRACED | WCONTINUED);
  return r == pid && (WIFSTOPPED(status) || WIFCONTINUED(status));
}

std::vector<pid_t> PidsWithCmdline(const std::string& needle) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string cmd = ReadFile("/proc/" + name + "/cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(needle) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

bool BlockedOnFlock(pid_t pid) {
  std::istringstream in(ReadFile("/proc/locks"));
  std::string line;
  std::string p = " " + std::to_string(pid) + " ";
  while (std::getline(in, line)) {
    if (line.find("->") != std::string::npos && line.find("FLOCK") != std::string::npos &&
        line.find(p) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool SignalPending(pid_t pid, int sig) {
  std::istringstream in(ReadFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  unsigned long long bit = 1ULL << (sig - 1);
  while (std::getline(in, line)) {
    if (line.rfind("ShdPnd:", 0) == 0 || line.rfind("SigPnd:", 0) == 0) {
      unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      if ((mask & bit) != 0) return true;
    }
  }
  return false;
}

Json LoadJson(const std::string& path) {
  Json j = Json::parse(ReadFile(path), nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::string Quote(const std::string& text) { return Json(text).dump(); }

}  // namespace chaosrun::safety_test
