#include "integration/tls_driver/tls_harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "network/tcp.h"
#include "support/process_helpers.h"

extern char** environ;

namespace chaosrun::drivers::tls::itest {

bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds cap) {
  auto end = std::chrono::steady_clock::now() + cap;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

pid_t StartChild(const std::vector<std::string>& argv, const std::string& log) {
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = log.empty() ? "/dev/null" : log;
  files.append_stdout = true;
  files.stderr_to_stdout = true;
  std::string error;
  pid_t pid = chaosrun::testing::SpawnWithFiles(argv, files, &error);
  if (pid == -1) ADD_FAILURE() << error;
  return pid;
}

int WaitChild(pid_t pid, std::chrono::milliseconds cap) {
  if (pid <= 0) return -1;
  int status = 0;
  if (!PollUntil([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, cap)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool Nginx::Start(const std::string& dir, std::string* error) {
  dir_ = dir;
  port_ = UnusedPort();
  std::ofstream conf(dir + "/nginx.conf");
  conf << "daemon off;\nmaster_process on;\nworker_processes 1;\nuser root;\n"
       << "pid " << dir << "/nginx.pid;\nerror_log " << dir << "/error.log info;\n"
       << "events { worker_connections 64; }\n"
       << "http {\n  access_log off;\n"
       << "  client_body_temp_path " << dir << "/tmp_body;\n"
       << "  proxy_temp_path " << dir << "/tmp_proxy;\n"
       << "  fastcgi_temp_path " << dir << "/tmp_fastcgi;\n"
       << "  uwsgi_temp_path " << dir << "/tmp_uwsgi;\n"
       << "  scgi_temp_path " << dir << "/tmp_scgi;\n"
       << "  server {\n    listen 127.0.0.1:" << port_ << " ssl;\n"
       << "    server_name lab.example;\n"
       << "    ssl_certificate " << dir << "/cert.pem;\n"
       << "    ssl_certificate_key " << dir << "/key.pem;\n"
       << "    location / { return 200 \"ok\\n\"; }\n  }\n}\n";
  conf.close();
  pid_ = StartChild({kNginx, "-p", dir, "-c", dir + "/nginx.conf"}, dir + "/nginx.out");
  bool up = PollUntil([&] {
    if (ReadAll(pidfile()).empty()) return false;
    int fd = -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    if (!network::TcpConnect("127.0.0.1", port_, deadline, nullptr, &fd).empty()) return false;
    ::close(fd);
    return true;
  });
  if (!up) {
    *error = "nginx did not come up: " + ReadAll(dir + "/nginx.out") + Log();
    return false;
  }
  return true;
}

Nginx::~Nginx() {
  if (pid_ > 0) {
    ::kill(pid_, SIGQUIT);  // graceful: the master takes its workers with it
    if (WaitChild(pid_, std::chrono::seconds(20)) < 0) ADD_FAILURE() << "nginx had to be killed";
  }
}

LabPki WriteLabPki(const std::string& dir) {
  LabPki p;
  p.ca = test::MakeTestCa();
  p.leaf = test::IssueLeaf(p.ca, "lab.example", {"DNS:lab.example", "IP:127.0.0.1"});
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  };
  p.ca_pem = write("ca.pem", p.ca.cert_pem);
  p.ca_key = write("ca.key", p.ca.key_pem);
  p.cert = write("cert.pem", p.leaf.cert_pem);
  p.key = write("key.pem", p.leaf.key_pem);
  return p;
}

nlohmann::json ExpireExperiment(const LabPki& pki, const std::string& reloads,
                                const std::string& gate_dir) {
  return FaultExperiment(pki, reloads, gate_dir,
                         {{"key_path", pki.key},
                          {"new_key", true},
                          {"fault", "expired"},
                          {"issuer_cert", pki.ca_pem},
                          {"issuer_key", pki.ca_key}});
}

nlohmann::json FaultExperiment(const LabPki& pki, const std::string& reloads,
                               const std::string& gate_dir, const nlohmann::json& fault_args) {
  using nlohmann::json;
  std::string files = pki.cert.substr(0, pki.cert.rfind('/'));
  json arguments = fault_args;
  arguments["path"] = pki.cert;
  arguments["reload"] = {{"command", {"sh", "-c", "echo reload >> " + reloads}}};
  json method = json::array({json{{"type", "action"},
                                  {"name", "break-the-certificate"},
                                  {"provider",
                                   {{"type", "driver"},
                                    {"driver", "tls"},
                                    {"func", "replace_certificate"},
                                    {"arguments", arguments}}}}});
  if (!gate_dir.empty()) {
    method.push_back(json{
        {"type", "action"},
        {"name", "gate"},
        {"provider",
         {{"type", "process"},
          {"path", "sh"},
          {"arguments",
           json::array({"-c", ": > \"$1/at\"; exec timeout 60 cat \"$1/go\"", "sh", gate_dir})},
          {"timeout", 90}}}});
  }
  return json{{"title", "a certificate fault"},
              {"description", "replace_certificate on the test PKI"},
              {"blast-radius", {{"allow", json::array({"file:" + files + "/*"})}}},
              {"method", method}};
}

}  // namespace chaosrun::drivers::tls::itest
