// Issue 12's proof for the telemetry faults: each one is applied by the REAL chaosrun binary
// (through the built telemetry driver .so), the runner is SIGKILLed while the fault is applied
// (reached deterministically: the run blocks in a fifo gate after the action), and
// `chaosrun recover` then restores the telemetry path: the toxic is gone from the fault proxy
// (a TCP and a UDP proxy hosted here, behind the real proxy API) or the paused exporter runs
// again. The notification sink, killed with its runner, leaves its port closed and an undo
// that recover replays successfully. Every recover leaves the ledger empty. Nothing sleeps: the
// test waits for files and states, each wait capped.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "proxy/engine.h"
#include "proxy_api/api_server.h"
#include "support/http_server.h"
#include "support/process_helpers.h"
#include "support/temp_dir.h"

extern char** environ;

namespace chaosrun::telemetry_test {
namespace {

constexpr auto kTelGiveUp = std::chrono::seconds(30);

bool TelWaitFor(const std::function<bool()>& done) {
  auto give_up = std::chrono::steady_clock::now() + kTelGiveUp;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a state, capped
  }
  return true;
}

std::string TelRead(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

char ProcState(pid_t pid) {
  std::string stat = TelRead("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : '?';
}

// `chaosrun ARGS` with stdout/stderr in DIR/TAG.out|err, in a process group of its own.
pid_t StartCli(const std::vector<std::string>& args, const std::string& dir,
               const std::string& tag) {
  std::vector<std::string> argv{CHAOSRUN_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  chaosrun::testing::SpawnFiles files;
  files.stdout_path = dir + "/" + tag + ".out";
  files.stderr_path = dir + "/" + tag + ".err";
  files.mode = 0600;
  files.own_process_group = true;
  std::string error;
  pid_t pid = chaosrun::testing::SpawnWithFiles(argv, files, &error);
  EXPECT_NE(pid, -1) << error;
  return pid;
}

int WaitCli(pid_t pid) {
  int status = 0;
  auto give_up = std::chrono::steady_clock::now() + kTelGiveUp;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 || std::chrono::steady_clock::now() > give_up) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class FaultsRecoverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chaosrun::testing::BecomeChildSubreaper(); }

  void SetUp() override {
    proxy_api::ApiServer::Options o;
    o.port = 0;
    api_ = std::make_unique<proxy_api::ApiServer>(engine_, o);
    auto endpoint = api_->Start();
    ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message();
    url_ = endpoint->Url();
    ASSERT_EQ(::mkfifo((dir() + "/go_gate").c_str(), 0600), 0);
  }

  void TearDown() override {
    // The gate's reader, orphaned by the killed runner, ends when a writer comes.
    int fd = ::open((dir() + "/go_gate").c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
    if (runner_ > 0) {
      ::kill(-runner_, SIGKILL);
      (void)WaitCli(runner_);
    }
    if (target_ > 0) {
      ::kill(target_, SIGCONT);
      ::kill(target_, SIGKILL);
      ::waitpid(target_, nullptr, 0);
    }
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }

  std::string dir() const { return tmp_.path().string(); }

  void MakeProxy(const std::string& name, proxy::Protocol protocol) {
    proxy::ProxySpec spec;
    spec.name = name;
    spec.listen = "127.0.0.1:0";
    spec.upstream = "127.0.0.1:9";  // the toxics are what this test is about, not the traffic
    spec.protocol = protocol;
    auto created = engine_.CreateProxy(spec);
    ASSERT_TRUE(created.has_value()) << created.error().message();
  }

  // Runs an experiment whose method is `action` then the gate; returns once the run waits in
  // the gate, the fault applied.
  void RunUntilGate(const Json& action) {
    static const char* kGate = ": > \"$1/at_gate\"; exec timeout 60 cat \"$1/go_gate\"";
    Json gate{{"type", "action"},
              {"name", "gate"},
              {"provider",
               {{"type", "process"},
                {"path", "sh"},
                {"arguments", Json::array({"-c", kGate, "sh", dir()})},
                {"timeout", 90}}}};
    Json experiment{{"title", "telemetry fault killed mid-flight"},
                    {"description", "tests/integration/telemetry_driver"},
                    {"method", Json::array({action, gate})}};
    std::string path = tmp_.Write("experiment.json", experiment.dump(2));
    runner_ = StartCli(
        {"run", path, "--state-dir", dir() + "/state", "--journal-path", dir() + "/journal.json"},
        dir(), "run");
    ASSERT_GT(runner_, 0);
    ASSERT_TRUE(TelWaitFor([&] { return std::filesystem::exists(dir() + "/at_gate"); }))
        << "the run never reached its gate\n"
        << TelRead(dir() + "/run.err");
  }

  // SIGKILLs the runner (and its gate, in its process group) and runs `chaosrun recover`.
  void KillThenRecover() {
    ASSERT_EQ(::kill(-runner_, SIGKILL), 0);
    EXPECT_EQ(WaitCli(runner_), 128 + SIGKILL);
    runner_ = -1;
    pid_t recover = StartCli({"recover", "--state-dir", dir() + "/state"}, dir(), "recover");
    ASSERT_GT(recover, 0);
    EXPECT_EQ(WaitCli(recover), 0)
        << TelRead(dir() + "/recover.out") << TelRead(dir() + "/recover.err");
    // Every fault reverted: the ledger is truncated.
    EXPECT_EQ(TelRead(dir() + "/state/ledger.jsonl"), "");
  }

  Json Action(const std::string& func, Json args) {
    return Json{{"type", "action"},
                {"name", func + "-telemetry"},
                {"provider",
                 {{"type", "driver"},
                  {"driver", "telemetry"},
                  {"func", func},
                  {"arguments", std::move(args)}}}};
  }

  Json Toxics(const std::string& proxy) {
    auto t = engine_.ListToxics(proxy);
    return t ? *t : Json::array();
  }

  chaosrun::testing::TempDir tmp_;
  proxy::Engine engine_;
  std::unique_ptr<proxy_api::ApiServer> api_;
  std::string url_;
  pid_t runner_ = -1;
  pid_t target_ = -1;
};

struct ProxyFaultCase {
  std::string func;
  proxy::Protocol protocol;
  Json args;               // beyond proxy_api and proxy
  std::string toxic_type;  // what the proxy holds while the fault is applied
};

class ProxyFaultRecoverTest : public FaultsRecoverTest,
                              public ::testing::WithParamInterface<ProxyFaultCase> {};

TEST_P(ProxyFaultRecoverTest, RecoverRemovesTheToxicAfterTheRunnerIsKilled) {
  const ProxyFaultCase& c = GetParam();
  MakeProxy("scrape", c.protocol);
  Json args = c.args;
  args["proxy_api"] = url_;
  args["proxy"] = "scrape";
  RunUntilGate(Action(c.func, args));
  Json toxics = Toxics("scrape");
  ASSERT_EQ(toxics.size(), 1u) << toxics.dump();
  EXPECT_EQ(toxics[0]["name"], "chaosrun_" + c.func);
  EXPECT_EQ(toxics[0]["type"], c.toxic_type);
  if (c.args.contains("seed")) {
    EXPECT_EQ(toxics[0]["seed"], c.args["seed"]);
  }
  KillThenRecover();
  EXPECT_EQ(Toxics("scrape"), Json::array()) << "the telemetry path is still broken";
  // Idempotent: a second recover finds nothing left to do.
  pid_t again = StartCli({"recover", "--state-dir", dir() + "/state"}, dir(), "again");
  EXPECT_EQ(WaitCli(again), 0) << TelRead(dir() + "/again.err");
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ProxyFaultRecoverTest,
    ::testing::Values(ProxyFaultCase{"blackhole", proxy::Protocol::kTcp, Json::object(), "timeout"},
                      ProxyFaultCase{"blackhole", proxy::Protocol::kUdp, Json::object(), "timeout"},
                      ProxyFaultCase{"delay", proxy::Protocol::kTcp,
                                     Json{{"latency", 500}, {"jitter", 50}}, "latency"},
                      ProxyFaultCase{"drop", proxy::Protocol::kTcp,
                                     Json{{"fraction", 0.5}, {"seed", 7}}, "reset_peer"},
                      ProxyFaultCase{"drop", proxy::Protocol::kUdp,
                                     Json{{"fraction", 0.3}, {"seed", 8}}, "timeout"},
                      ProxyFaultCase{"delay", proxy::Protocol::kUdp, Json{{"latency", 500}},
                                     "latency"},
                      ProxyFaultCase{"corrupt", proxy::Protocol::kTcp,
                                     Json{{"rate", 0.05}, {"seed", 10}}, "corrupt"},
                      ProxyFaultCase{"corrupt", proxy::Protocol::kUdp,
                                     Json{{"rate", 0.05}, {"seed", 9}}, "corrupt"}),
    [](const ::testing::TestParamInfo<ProxyFaultCase>& p) {
      return p.param.func + (p.param.protocol == proxy::Protocol::kUdp ? "_udp" : "_tcp");
    });

TEST_F(FaultsRecoverTest, PauseProcessIsContinuedByRecoverAfterTheRunnerIsKilled) {
  std::string arg = "300." + std::to_string(::getpid()) + "12";
  pid_t pid = -1;
  std::vector<std::string> argv{"sleep", arg};
  std::vector<char*> cargv{argv[0].data(), argv[1].data(), nullptr};
  ASSERT_EQ(posix_spawnp(&pid, "sleep", nullptr, nullptr, cargv.data(), environ), 0);
  target_ = pid;
  ASSERT_TRUE(TelWaitFor([&] { return ProcState(target_) == 'S'; }));
  RunUntilGate(Action("pause_process",
                      Json{{"cmdline", "^sleep 300\\." + std::to_string(::getpid()) + "12$"}}));
  EXPECT_EQ(ProcState(target_), 'T') << "the exporter is not paused";
  KillThenRecover();
  EXPECT_TRUE(TelWaitFor([&] { return ProcState(target_) == 'S'; }))
      << "state " << ProcState(target_);
}

// True when a TCP connection to 127.0.0.1:port is accepted (false: refused).
bool SinkAccepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

// The sink lives in the runner's process: killed with it, its port is closed at once, and
// recover replays its undo (closing nothing) successfully, leaving the ledger empty.
TEST_F(FaultsRecoverTest, TheSinkDiesWithTheRunnerAndRecoverSucceeds) {
  int port = chaosrun::testing::ClosedLoopbackPort();
  ASSERT_GT(port, 0);
  RunUntilGate(Action("start_notification_sink", Json{{"port", port}}));
  EXPECT_TRUE(SinkAccepts(port)) << "the sink is not open";
  EXPECT_NE(TelRead(dir() + "/state/ledger.jsonl").find("start_notification_sink"),
            std::string::npos)
      << "the sink's undo is not in the ledger";
  KillThenRecover();
  EXPECT_FALSE(SinkAccepts(port)) << "the sink's port is still open";
  pid_t again = StartCli({"recover", "--state-dir", dir() + "/state"}, dir(), "again");
  EXPECT_EQ(WaitCli(again), 0) << TelRead(dir() + "/again.err");
}

}  // namespace
}  // namespace chaosrun::telemetry_test
