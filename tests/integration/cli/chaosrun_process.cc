#include "chaosrun_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace chaosrun::clitest {

namespace {

std::filesystem::path UniqueCapturePath(const std::filesystem::path& dir, const char* stream) {
  static std::atomic<int> counter{0};
  return dir / (".chaosrun-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "." +
                stream);
}

std::vector<std::string> MergedEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& x : extra) {
      if (x.substr(0, x.find('=')) == key) overridden = true;
    }
    if (!overridden) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

}  // namespace

ChaosrunProcess::ChaosrunProcess(const Invocation& inv) {
  out_path_ = UniqueCapturePath(inv.cwd, "stdout");
  err_path_ = UniqueCapturePath(inv.cwd, "stderr");
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<std::string> argv_s;
  argv_s.emplace_back(CHAOSRUN_BINARY);
  argv_s.insert(argv_s.end(), inv.args.begin(), inv.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = MergedEnvironment(inv.env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string cwd = inv.cwd.string();
  std::string out = out_path_.string();
  std::string err = err_path_.string();

  pid_ = ::fork();
  if (pid_ < 0) {
    std::perror("fork");
    std::abort();
  }
  if (pid_ == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || in < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE}) ::sigaction(sig, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
}

ChaosrunProcess::~ChaosrunProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  std::error_code ec;
  std::filesystem::remove(out_path_, ec);
  std::filesystem::remove(err_path_, ec);
}

bool ChaosrunProcess::Running() const {
  if (reaped_) return false;
  siginfo_t info{};
  // WNOWAIT: look without reaping, so Wait() still gets the status.
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return false;
  }
  return info.si_pid == 0;
}

Outcome ChaosrunProcess::Wait() {
  Outcome o;
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0) {
    if (errno != EINTR) break;
  }
  reaped_ = true;
  if (WIFEXITED(st)) {
    o.exit_code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    o.exit_code = 128 + WTERMSIG(st);
  }
  o.out = ReadFile(out_path_);
  o.err = ReadFile(err_path_);
  return o;
}

Outcome RunChaosrun(const Invocation& inv) {
  ChaosrunProcess p(inv);
  return p.Wait();
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

bool HasArgument(pid_t pid, const std::string& token) {
  std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  size_t start = 0;
  while (start < cmdline.size()) {
    size_t end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    if (cmdline.compare(start, end - start, token) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<pid_t> FindProcessWithArg(const std::string& token) {
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return std::nullopt;
  std::optional<pid_t> found;
  while (dirent* ent = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(ent->d_name, &end, 10);
    if (end == ent->d_name || *end != '\0') continue;
    if (HasArgument(static_cast<pid_t>(pid), token)) {
      found = static_cast<pid_t>(pid);
      break;
    }
  }
  ::closedir(d);
  return found;
}

std::optional<pid_t> WaitForProcessWithArg(const std::string& token,
                                           const ChaosrunProcess& parent) {
  for (;;) {
    if (auto pid = FindProcessWithArg(token)) return pid;
    if (!parent.Running()) return FindProcessWithArg(token);
    std::this_thread::yield();
  }
}

}  // namespace chaosrun::clitest
