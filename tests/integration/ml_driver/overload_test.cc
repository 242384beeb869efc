// overload_telemetry through the real `chaosrun run`, against a loopback collector of the test
// (support/http_server.h, POST /events counting the events of each JSON array). The generator
// is a fork of the runner (its command line is the runner's, its parent is not us): it sends
// while the method runs; it outlives a SIGKILLed runner (it is its own process) until
// `chaosrun recover` stops it; and it ends by itself when its duration is over.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <regex>
#include <vector>

#include "integration/ml_driver/ml_harness.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace chaosrun::ml_test {
namespace {

struct Collector {
  Collector() {
    server.Handle("POST", "/events", [this](const testing::TestRequest& rq) {
      json body = json::parse(rq.body, nullptr, false);
      if (body.is_array()) {
        events += static_cast<int>(body.size());
        if (!body.empty() && body[0].value("kind", "") == "synthetic") ++synthetic_batches;
      }
      return testing::TestResponse{200, {{"Content-Type", "application/json"}}, "{}", {}};
    });
  }
  std::atomic<int> events{0};
  std::atomic<int> synthetic_batches{0};
  testing::HttpServer server;
};

// Live processes (not zombies) running `experiment` that are not our children: the generator.
std::vector<pid_t> Generators(const std::string& experiment) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::string cmdline = ReadAll("/proc/" + std::string(e->d_name) + "/cmdline");
    if (cmdline.find(experiment) == std::string::npos) continue;
    std::string stat = ReadAll("/proc/" + std::string(e->d_name) + "/stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    char state = stat[close + 2];
    long ppid = std::strtol(stat.c_str() + close + 4, nullptr, 10);
    if (state == 'Z' || state == 'X' || ppid == ::getpid()) continue;
    out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

// Declared after the TempDir: on any way out of the test (a failed ASSERT too) it runs
// `chaosrun recover` on the state dir while it still exists, then SIGKILLs any generator of the
// experiment still alive, so a failed test never leaves a 120 s generator behind.
struct GeneratorGuard {
  std::string dir, driver_dir, experiment;
  ~GeneratorGuard() {
    if (Generators(experiment).empty()) return;
    std::string out;
    (void)Recover(dir, driver_dir, &out);
    for (pid_t pid : Generators(experiment)) ::kill(pid, SIGKILL);
  }
};

json OverloadExperiment(const std::string& dir, const Collector& c, double duration) {
  json args{{"url", c.server.Url("/events")}, {"rate", 400}, {"duration", duration}, {"batch", 20}};
  return MlExperiment("overload_telemetry", args,
                      json::array({"endpoint:127.0.0.1:" + std::to_string(c.server.port())}), dir);
}

TEST(MlOverloadTelemetry, SendsDuringTheRunAndIsStoppedAtItsEnd) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Collector c;
  const std::string exp = dir + "/experiment.json";
  GeneratorGuard guard{dir, driver_dir, exp};
  int rc = RunThroughGate(
      dir, driver_dir, OverloadExperiment(dir, c, 120),
      [&] {
        EXPECT_TRUE(PollUntil([&] { return c.events.load() >= 100; })) << c.events.load();
        EXPECT_GT(c.synthetic_batches.load(), 0);
        EXPECT_EQ(Generators(exp).size(), 1u);
      },
      false);
  EXPECT_EQ(rc, 0) << ReadAll(dir + "/run.log");
  EXPECT_TRUE(Generators(exp).empty());
  json journal = json::parse(ReadAll(dir + "/journal.json"), nullptr, false);
  ASSERT_TRUE(journal.is_object());
  json result = journal["run"][0]["output"]["result"];
  EXPECT_GT(result.value("pid", 0), 1) << result.dump();
  EXPECT_EQ(result.value("rate", 0.0), 400.0);
  EXPECT_EQ(result.value("duration", 0.0), 120.0);
  EXPECT_TRUE(result.contains("ends_at")) << result.dump();
  EXPECT_EQ(journal["rollbacks"][0]["output"].value("stopped", false), true)
      << journal["rollbacks"].dump();
}

TEST(MlOverloadTelemetry, RecoverStopsTheGeneratorAfterTheRunnerIsKilled) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Collector c;
  const std::string exp = dir + "/experiment.json";
  GeneratorGuard guard{dir, driver_dir, exp};
  int rc = RunThroughGate(dir, driver_dir, OverloadExperiment(dir, c, 120), nullptr, true);
  ASSERT_EQ(rc, 128 + 9);
  // The generator outlives its runner and keeps sending.
  ASSERT_EQ(Generators(exp).size(), 1u);
  const int before = c.events.load();
  EXPECT_TRUE(PollUntil([&] { return c.events.load() > before; }));
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_TRUE(Generators(exp).empty());
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
}

TEST(MlOverloadTelemetry, EndsByItselfAndTheUndoIsThenANoOp) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Collector c;
  const std::string exp = dir + "/experiment.json";
  GeneratorGuard guard{dir, driver_dir, exp};
  int rc = RunThroughGate(
      dir, driver_dir, OverloadExperiment(dir, c, 0.5),
      [&] { EXPECT_TRUE(PollUntil([&] { return Generators(exp).empty(); })) << "still running"; },
      false);
  EXPECT_EQ(rc, 0) << ReadAll(dir + "/run.log");
  json journal = json::parse(ReadAll(dir + "/journal.json"), nullptr, false);
  ASSERT_TRUE(journal.is_object());
  EXPECT_EQ(journal["rollbacks"][0]["output"].value("stopped", true), false)
      << journal["rollbacks"].dump();
  EXPECT_GT(c.events.load(), 0);
}

// A host name in the url is resolved in prepare: the numeric address the load goes to is a
// target too, and the blast radius must allow it.
TEST(MlOverloadTelemetry, TheResolvedAddressIsATarget) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Collector c;
  const std::string exp = dir + "/experiment.json";
  GeneratorGuard guard{dir, driver_dir, exp};
  const std::string port = std::to_string(c.server.port());
  json args{{"url", "http://localhost:" + port + "/events"}, {"rate", 400}, {"duration", 120}};
  WriteFile(
      exp,
      MlExperiment("overload_telemetry", args, json::array({"endpoint:localhost:" + port})).dump());
  std::string out;
  EXPECT_NE(RunChaosrun({"run", "--driver-dir", driver_dir, "--state-dir", dir + "/state",
                         "--journal-path", dir + "/journal.json", exp},
                        dir + "/run.log", &out),
            0);
  EXPECT_NE(out.find("endpoint:127.0.0.1:" + port), std::string::npos) << out;
  EXPECT_TRUE(Generators(exp).empty());
  EXPECT_EQ(c.events.load(), 0);
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
}

// Anyone may connect to the generator's abstract socket: a crowd of connections left open
// (more than any listen backlog) must not make the undo hang; the generator accepts and closes
// them, and `recover` stops it.
TEST(MlOverloadTelemetry, RecoverIsNotBlockedByConnectionsToTheGeneratorsSocket) {
  REQUIRE_ML_DRIVER(driver_dir);
  testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  Collector c;
  const std::string exp = dir + "/experiment.json";
  GeneratorGuard guard{dir, driver_dir, exp};
  int rc = RunThroughGate(dir, driver_dir, OverloadExperiment(dir, c, 120), nullptr, true);
  ASSERT_EQ(rc, 128 + 9);
  ASSERT_EQ(Generators(exp).size(), 1u);
  std::smatch m;
  const std::string ledger = ReadAll(dir + "/state/ledger.jsonl");
  ASSERT_TRUE(std::regex_search(ledger, m, std::regex(R"re("token":"([0-9a-f]{32})")re")))
      << ledger;
  const std::string name = "chaosrun-ml-overload-" + m[1].str();
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path + 1, name.data(), name.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  std::vector<int> crowd;
  for (int i = 0; i < 64; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    (void)::connect(fd, reinterpret_cast<const sockaddr*>(&a), len);  // may be EAGAIN: fine
    crowd.push_back(fd);
  }
  std::string out;
  EXPECT_EQ(Recover(dir, driver_dir, &out), 0) << out;
  EXPECT_TRUE(Generators(exp).empty());
  EXPECT_EQ(ReadAll(dir + "/state/ledger.jsonl"), "");
  for (int fd : crowd) ::close(fd);
}

}  // namespace
}  // namespace chaosrun::ml_test
