#include "harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "network/http_client.h"
#include "support/process_helpers.h"

extern char** environ;

namespace chaosrun::network_driver_test {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::atomic<int> g_counter{0};

}  // namespace

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string DriverPath() {
  std::filesystem::path bin(CHAOSRUN_BINARY);
  return (bin.parent_path().parent_path() / "lib/chaosrun/drivers/libchaosrun_network.so").string();
}

plugin::Driver* LoadedDriver(std::string* error) {
  static std::unique_ptr<plugin::Driver> driver;
  static std::string load_error;
  if (!driver && load_error.empty()) {
    auto d = plugin::Driver::Load(DriverPath());
    if (d) {
      driver = std::move(*d);
    } else {
      load_error = "cannot load " + DriverPath() + ": " + d.error().ToString() +
                   " (build the target chaosrun_driver_network)";
    }
  }
  *error = load_error;
  return driver.get();
}

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

drivers::process::CaptureResult Run(const std::vector<std::string>& argv) {
  return drivers::process::RunCapture(argv, std::chrono::seconds(30), {});
}

std::string MustRun(const std::vector<std::string>& argv) {
  drivers::process::CaptureResult r = Run(argv);
  std::string cmd;
  for (const auto& a : argv) cmd += a + " ";
  EXPECT_TRUE(r.Succeeded()) << cmd << ": " << r.Describe();
  return r.out;
}

Json Qdiscs(const std::string& netns, const std::string& ifname) {
  drivers::process::CaptureResult r =
      Run({"tc", "-n", netns, "-j", "qdisc", "show", "dev", ifname});
  if (!r.Succeeded()) return nullptr;
  Json j = Json::parse(r.out, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

Json RootQdisc(const std::string& netns, const std::string& ifname) {
  Json all = Qdiscs(netns, ifname);
  if (!all.is_array()) return nullptr;
  for (const auto& q : all) {
    if (q.value("root", false)) return q;
  }
  return nullptr;
}

bool KernelHasNetem() {
  return Run({"unshare", "--net", "--", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay",
              "1ms"})
      .Succeeded();
}

VethPair::VethPair() {
  const int n = ++g_counter;
  const std::string tag = std::to_string(::getpid() % 1000000) + "_" + std::to_string(n);
  ns_a = "crnd" + tag + "a";
  ns_b = "crnd" + tag + "b";
  if_a = "cv" + tag + "a";
  if_b = "cv" + tag + "b";
  const std::string subnet = "10.213." + std::to_string(n % 250) + ".";
  ip_a = subnet + "1";
  ip_b = subnet + "2";
  if (!Run({"ip", "netns", "add", ns_a}).Succeeded()) return;
  if (!Run({"ip", "netns", "add", ns_b}).Succeeded()) return;
  ok_ = Run({"ip", "-n", ns_a, "link", "add", if_a, "type", "veth", "peer", "name", if_b, "netns",
             ns_b})
            .Succeeded() &&
        Run({"ip", "-n", ns_a, "addr", "add", ip_a + "/24", "dev", if_a}).Succeeded() &&
        Run({"ip", "-n", ns_b, "addr", "add", ip_b + "/24", "dev", if_b}).Succeeded() &&
        Run({"ip", "-n", ns_a, "link", "set", if_a, "up"}).Succeeded() &&
        Run({"ip", "-n", ns_b, "link", "set", if_b, "up"}).Succeeded() &&
        Run({"ip", "-n", ns_a, "link", "set", "lo", "up"}).Succeeded() &&
        Run({"ip", "-n", ns_b, "link", "set", "lo", "up"}).Succeeded();
}

VethPair::~VethPair() {
  Run({"ip", "netns", "del", ns_a});
  Run({"ip", "netns", "del", ns_b});
}

int SocketIn(const std::string& netns, int domain, int type) {
  int fd = -1;
  std::thread t([&] {
    int nsfd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) return;
    if (::setns(nsfd, CLONE_NEWNET) == 0) fd = ::socket(domain, type | SOCK_CLOEXEC, 0);
    ::close(nsfd);
  });
  t.join();
  return fd;
}

std::string Child::Output() const {
  return "--- stdout ---\n" + ReadFile(out_path) + "--- stderr ---\n" + ReadFile(err_path);
}

Child StartChild(const std::vector<std::string>& argv, const std::string& dir,
                 const std::string& tag) {
  Child c;
  c.out_path = dir + "/" + tag + ".stdout";
  c.err_path = dir + "/" + tag + ".stderr";
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = c.out_path;
  files.stderr_path = c.err_path;
  std::string error;
  c.pid = chaosrun::testing::SpawnWithFiles(argv, files, &error);
  if (c.pid == -1) ADD_FAILURE() << error;
  return c;
}

void StopChild(Child& c) {
  if (c.pid <= 0) return;
  ::kill(c.pid, SIGKILL);
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.pid = -1;
}

int WaitChild(Child& c, std::chrono::milliseconds cap) {
  if (c.pid <= 0) return -1;
  int status = 0;
  bool exited = WaitUntil([&] { return ::waitpid(c.pid, &status, WNOHANG) == c.pid; }, cap);
  if (!exited) {
    StopChild(c);
    return -1;
  }
  c.pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ProxyServer::ProxyServer(const std::string& dir) {
  child = StartChild({CHAOSRUN_BINARY, "proxy", "serve", "--api", "127.0.0.1:0"}, dir,
                     "proxy-serve-" + std::to_string(++g_counter));
  std::regex line("API listening on (http://[^\\s]+)");
  bool seen = WaitUntil([&] {
    std::smatch m;
    std::string out = ReadFile(child.out_path);
    if (std::regex_search(out, m, line)) {
      api_text = m[1].str();
      return true;
    }
    if (::waitpid(child.pid, nullptr, WNOHANG) == child.pid) {  // exited: give up
      child.pid = -1;
      return true;
    }
    return false;
  });
  std::string error;
  auto url = api_text.empty() ? std::nullopt : drivers::network::ParseUrl(api_text, &error);
  if (!seen || !url) {
    ADD_FAILURE() << "`chaosrun proxy serve --api 127.0.0.1:0` did not announce its API\n"
                  << child.Output();
    api_text.clear();
    return;
  }
  api = *url;
}

ProxyServer::~ProxyServer() { StopChild(child); }

int ProxyServer::Call(const std::string& method, const std::string& path, const Json& body,
                      Json* out) {
  drivers::network::HttpOptions o;
  drivers::network::HttpResponse r =
      drivers::network::HttpRequest(api, method, path, body.is_null() ? "" : body.dump(), o);
  if (!r.ok) return 0;
  if (out != nullptr) {
    *out = Json::parse(r.body, nullptr, false);
    if (out->is_discarded()) *out = nullptr;
  }
  return r.status;
}

std::string ProxyServer::CreateProxy(const std::string& name, const std::string& upstream) {
  Json created;
  int status =
      Call("POST", "/proxies",
           Json{{"name", name}, {"listen", "127.0.0.1:0"}, {"upstream", upstream}}, &created);
  EXPECT_EQ(status, 201) << created.dump();
  return created.is_object() ? created.value("listen", "") : "";
}

PythonHttpServer::PythonHttpServer(const std::string& root, const std::string& dir) {
  child = StartChild(
      {"python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root}, dir,
      "http-server-" + std::to_string(++g_counter));
  std::regex line("port ([0-9]+)");
  bool seen = WaitUntil([&] {
    std::smatch m;
    std::string out = ReadFile(child.out_path);
    if (std::regex_search(out, m, line)) {
      port = std::stoi(m[1].str());
      return true;
    }
    return false;
  });
  if (!seen) ADD_FAILURE() << "python3 -m http.server did not start\n" << child.Output();
}

PythonHttpServer::~PythonHttpServer() { StopChild(child); }

}  // namespace chaosrun::network_driver_test
