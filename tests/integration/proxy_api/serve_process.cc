#include "serve_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace chaosrun::apitest {

ServeProcess::ServeProcess(const std::vector<std::string>& args) {
  static std::atomic<int> counter{0};
  err_path_ = (std::filesystem::temp_directory_path() /
               ("chaosrun-proxy-api-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++) + ".stderr"))
                  .string();
  std::vector<std::string> argv_s{CHAOSRUN_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::perror("pipe2");
    std::abort();
  }
  pid_ = ::fork();
  if (pid_ < 0) {
    std::perror("fork");
    std::abort();
  }
  if (pid_ == 0) {  // only async-signal-safe calls from here
    int e = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (e < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(pipe_fds[1], 1);
    ::dup2(e, 2);
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    for (int sig : {SIGINT, SIGTERM, SIGPIPE}) ::sigaction(sig, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  out_fd_ = pipe_fds[0];
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  std::error_code ec;
  std::filesystem::remove(err_path_, ec);
}

std::optional<std::string> ServeProcess::ReadLine(int timeout_ms) {
  for (;;) {
    if (auto nl = pending_.find('\n'); nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    pollfd p{out_fd_, POLLIN, 0};
    int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    char buf[4096];
    ssize_t r = ::read(out_fd_, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    pending_.append(buf, static_cast<size_t>(r));
  }
}

int ServeProcess::WaitForApiPort() {
  auto line = ReadLine();
  const std::string prefix = "chaosrun proxy: API listening on http://127.0.0.1:";
  if (!line || line->rfind(prefix, 0) != 0) return 0;
  return std::atoi(line->c_str() + prefix.size());
}

void ServeProcess::Signal(int sig) { ::kill(pid_, sig); }

Exit ServeProcess::Wait() {
  Exit e;
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  e.code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
  std::ifstream in(err_path_);
  std::ostringstream s;
  s << in.rdbuf();
  e.err = s.str();
  return e;
}

}  // namespace chaosrun::apitest
