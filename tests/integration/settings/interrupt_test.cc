// Ctrl-C while chaosrun waits on the network for the settings' features, through the real binary
// (CHAOSRUN_BINARY): a loopback server that accepts, reads the request and never answers; the
// test sends SIGINT once the server has read the request's headers (a latch, no sleep), then
// checks how the process ended and what it said. Each wait on the child is capped by a watchdog
// (SIGKILL after 8 s: the test then fails on the exit code; elapsed time is never asserted).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/latch.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

namespace chaosrun::settings_interrupt {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Accepts one connection on 127.0.0.1, reads up to the end of the request's headers, releases
// `seen`, and holds the connection open without answering until destroyed.
class SilentServer {
 public:
  SilentServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 4) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SilentServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    if (thread_.joinable()) thread_.join();
    if (conn_fd_ >= 0) ::close(conn_fd_);
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  int port() const { return port_; }
  testing::Latch& seen() { return seen_; }
  std::string request() {
    std::lock_guard lock(mu_);
    return request_;
  }

 private:
  void Serve() {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    conn_fd_ = fd;
    char buf[4096];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      std::lock_guard lock(mu_);
      request_.append(buf, static_cast<size_t>(n));
      if (request_.find("\r\n\r\n") != std::string::npos) break;
    }
    seen_.Release();  // never answered: the connection stays open until the destructor
  }

  int listen_fd_ = -1;
  int conn_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::string request_;
  testing::Latch seen_;
};

struct Ended {
  int exit_code = -1;
  std::string err;
};

// Waits for `pid`; a watchdog kills it (SIGKILL) should it outlive the cap.
int WaitCapped(pid_t pid) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(8), [&] { return done; })) ::kill(pid, SIGKILL);
  });
  int code = testing::WaitForExit(pid);
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  return code;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SettingsInterruptTest : public ::testing::Test {
 protected:
  // Starts chaosrun with `args`, SIGINTs it once the server read its request, waits (capped).
  Ended InterruptOnceSeen(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CHAOSRUN_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    testing::SpawnFiles files;
    files.stdout_path = P("out.txt");
    files.stderr_path = P("err.txt");
    std::string error;
    pid_t pid = testing::SpawnWithFiles(argv, files, &error);
    EXPECT_GT(pid, 0) << error;
    if (pid <= 0) return {};
    server_.seen().Wait();
    ::kill(pid, SIGINT);
    Ended e;
    e.exit_code = WaitCapped(pid);
    e.err = Slurp(files.stderr_path);
    return e;
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = P("") + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string P(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  testing::TempDir dir_;
  SilentServer server_;
};

TEST_F(SettingsInterruptTest, CtrlCDuringTheDownloadEndsTheRunAtOnce) {
  ASSERT_GT(server_.port(), 0);
  std::string url = Base() + "/x.json";
  Ended e = InterruptOnceSeen(
      {"run", "--state-dir", P("state"), "--journal-path", P("journal.json"), url});
  EXPECT_THAT(server_.request(), HasSubstr("GET /x.json"));
  // As a load that fails (and an interrupt before the run): exit 1, nothing run, no journal.
  EXPECT_EQ(e.exit_code, 1) << e.err;
  EXPECT_THAT(e.err, HasSubstr("Interrupted: SIGINT received (Ctrl-C) while fetching the "
                               "experiment from " +
                               url + "; nothing was run"));
  EXPECT_FALSE(std::ifstream(P("journal.json")).good());
}

TEST_F(SettingsInterruptTest, CtrlCDuringValidateDownloadEndsIt) {
  ASSERT_GT(server_.port(), 0);
  // `validate` does not catch SIGINT: the default action ends it (128 + SIGINT).
  Ended e = InterruptOnceSeen({"validate", Base() + "/x.json"});
  EXPECT_THAT(server_.request(), HasSubstr("GET /x.json"));
  EXPECT_EQ(e.exit_code, 128 + SIGINT) << e.err;
}

TEST_F(SettingsInterruptTest, CtrlCDuringTheNotificationDrainDropsItWithOneWarning) {
  ASSERT_GT(server_.port(), 0);
  // Only run-completed: the server's first request comes once the run is over, in the drain.
  std::string settings =
      Write("settings.json", R"({"notifications": [{"type": "http", "url": ")" + Base() +
                                 R"(/hook", "events": ["run-completed"]}]})");
  std::string exp = Write("exp.json", R"({"title": "t", "description": "d", "method": [
      {"type": "action", "name": "ok", "provider": {"type": "process", "path": "/bin/true"}}]})");
  Ended e = InterruptOnceSeen({"run", "--settings", settings, "--state-dir", P("state"),
                               "--journal-path", P("journal.json"), exp});
  EXPECT_THAT(server_.request(), HasSubstr("POST /hook"));
  EXPECT_EQ(e.exit_code, 0) << e.err;  // the run completed before the interrupt
  EXPECT_THAT(e.err, HasSubstr("notifications: 1 not delivered (SIGINT received (Ctrl-C)); "
                               "dropped"));
  EXPECT_THAT(e.err, Not(HasSubstr("notification run-completed to the channel")));
  EXPECT_TRUE(std::ifstream(P("journal.json")).good());
}

}  // namespace
}  // namespace chaosrun::settings_interrupt
