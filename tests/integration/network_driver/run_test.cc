// The network driver under the REAL chaosrun binary: a run SIGKILLed while a toxic is applied
// leaves it in the ledger and `chaosrun recover` removes it; the blast radius refuses a proxy or
// an interface outside the allowed targets before anything is touched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace chaosrun::network_driver_test {
namespace {

using ::testing::HasSubstr;

Json DriverAction(const std::string& name, const std::string& func, const Json& args) {
  return {{"type", "action"},
          {"name", name},
          {"provider",
           {{"type", "driver"}, {"driver", "network"}, {"func", func}, {"arguments", args}}}};
}

class NetworkRunTest : public ::testing::Test {
 protected:
  void TearDown() override {
    std::ofstream(dir() + "/go").flush();  // releases a gate a killed run left behind
  }
  std::string dir() const { return tmp_.path().string(); }
  std::string state() const { return dir() + "/state"; }
  std::string journal() const { return dir() + "/journal.json"; }

  // Runs `chaosrun ARGS...` to completion; its exit code.
  int Chaosrun(const std::vector<std::string>& args, const std::string& tag, Child* out = nullptr) {
    std::vector<std::string> argv = {CHAOSRUN_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    Child c = StartChild(argv, dir(), tag);
    int code = WaitChild(c);
    if (out != nullptr) *out = c;
    return code;
  }
  std::string Write(const std::string& name, const Json& experiment) {
    return tmp_.Write(name, experiment.dump(2));
  }
  Json Journal() { return Json::parse(ReadText(journal()), nullptr, false); }
  bool LedgerEmpty() {
    std::error_code ec;
    auto size = std::filesystem::file_size(state() + "/ledger.jsonl", ec);
    return ec || size == 0;
  }

  chaosrun::testing::TempDir tmp_;
};

TEST_F(NetworkRunTest, SigkillWhileAToxicIsAppliedThenRecoverRemovesIt) {
  chaosrun::testing::HttpServer upstream;
  ProxyServer server(dir());
  ASSERT_TRUE(server.ok());
  ASSERT_FALSE(server.CreateProxy("web", "127.0.0.1:" + std::to_string(upstream.port())).empty());
  // The method adds the toxic, then waits at a gate until the test kills the run.
  const char* gate =
      "touch \"$1/at\"; i=0; while [ ! -e \"$1/go\" ]; do i=$((i+1)); [ $i -gt 600 ] && exit 1; "
      "sleep 0.05; done";
  Json experiment = {
      {"title", "a toxic left by a killed run"},
      {"description", "tests/integration/network_driver"},
      {"method",
       Json::array(
           {DriverAction("slow-down", "add_toxic",
                         {{"api", server.api_text},
                          {"proxy", "web"},
                          {"toxic", {{"type", "latency"}, {"attributes", {{"latency", 1000}}}}}}),
            {{"type", "action"},
             {"name", "gate"},
             {"provider",
              {{"type", "process"},
               {"path", "sh"},
               {"arguments", Json::array({"-c", gate, "sh", dir()})},
               {"timeout", 60}}}}})}};
  std::string path = Write("killed.json", experiment);
  Child run = StartChild(
      {CHAOSRUN_BINARY, "run", path, "--state-dir", state(), "--journal-path", journal()}, dir(),
      "run");
  ASSERT_TRUE(
      WaitUntil([&] { return std::filesystem::exists(dir() + "/at"); }, std::chrono::seconds(60)))
      << run.Output();
  Json toxics;
  ASSERT_EQ(server.Call("GET", "/proxies/web/toxics", nullptr, &toxics), 200);
  ASSERT_EQ(toxics.size(), 1u) << toxics.dump();
  ::kill(run.pid, SIGKILL);
  EXPECT_EQ(WaitChild(run), 128 + SIGKILL);
  ASSERT_EQ(server.Call("GET", "/proxies/web/toxics", nullptr, &toxics), 200);
  EXPECT_EQ(toxics.size(), 1u) << "nothing undoes the fault of a killed run but recover";
  EXPECT_FALSE(LedgerEmpty());

  Child rec;
  EXPECT_EQ(Chaosrun({"recover", "--state-dir", state()}, "recover", &rec), 0) << rec.Output();
  ASSERT_EQ(server.Call("GET", "/proxies/web/toxics", nullptr, &toxics), 200);
  EXPECT_EQ(toxics, Json::array()) << rec.Output();
  EXPECT_TRUE(LedgerEmpty()) << ReadText(state() + "/ledger.jsonl");
}

TEST_F(NetworkRunTest, BlastRadiusRefusesAProxyOutsideTheAllowedTargets) {
  chaosrun::testing::HttpServer upstream;
  ProxyServer server(dir());
  ASSERT_TRUE(server.ok());
  ASSERT_FALSE(server.CreateProxy("web", "127.0.0.1:" + std::to_string(upstream.port())).empty());
  Json experiment = {
      {"title", "a proxy outside the blast radius"},
      {"description", "tests/integration/network_driver"},
      {"blast-radius", {{"allow", Json::array({"proxy:*/only-this-one"})}}},
      {"method", Json::array({DriverAction(
                     "slow-down", "add_toxic",
                     {{"api", server.api_text},
                      {"proxy", "web"},
                      {"toxic", {{"type", "latency"}, {"attributes", {{"latency", 10}}}}}})})}};
  Child c;
  Chaosrun({"run", Write("refused.json", experiment), "--state-dir", state(), "--journal-path",
            journal()},
           "run", &c);
  Json j = Journal();
  ASSERT_TRUE(j.is_object()) << c.Output();
  ASSERT_EQ(j["run"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["run"][0]["status"], "failed");
  EXPECT_THAT(j["run"][0].dump(), HasSubstr("matches no allow pattern"));
  Json toxics;
  ASSERT_EQ(server.Call("GET", "/proxies/web/toxics", nullptr, &toxics), 200);
  EXPECT_EQ(toxics, Json::array());
  EXPECT_TRUE(LedgerEmpty());
}

TEST_F(NetworkRunTest, BlastRadiusRefusesAnInterfaceOutsideTheAllowedTargets) {
  VethPair pair;
  ASSERT_TRUE(pair.ok());
  const Json before = Qdiscs(pair.ns_a, pair.if_a);
  Json experiment = {
      {"title", "an interface outside the blast radius"},
      {"description", "tests/integration/network_driver"},
      {"blast-radius", {{"allow", Json::array({"interface:some-other-namespace/*"})}}},
      {"method", Json::array({DriverAction(
                     "throttle", "rate",
                     {{"interface", pair.if_a}, {"namespace", pair.ns_a}, {"rate_kbit", 100}})})}};
  Child c;
  Chaosrun({"run", Write("refused.json", experiment), "--state-dir", state(), "--journal-path",
            journal()},
           "run", &c);
  Json j = Journal();
  ASSERT_TRUE(j.is_object()) << c.Output();
  EXPECT_EQ(j["run"][0]["status"], "failed");
  EXPECT_THAT(j["run"][0].dump(), HasSubstr("interface:" + pair.ns_a + "/" + pair.if_a));
  EXPECT_EQ(Qdiscs(pair.ns_a, pair.if_a), before);
  EXPECT_TRUE(LedgerEmpty());
}

TEST_F(NetworkRunTest, RateFaultIsUndoneAtTheEndOfARun) {
  VethPair pair;
  ASSERT_TRUE(pair.ok());
  const Json before = Qdiscs(pair.ns_a, pair.if_a);
  const std::string check =
      "tc -n " + pair.ns_a + " qdisc show dev " + pair.if_a + " | grep -q '^qdisc tbf'";
  Json experiment = {
      {"title", "a rate limit for the length of a run"},
      {"description", "tests/integration/network_driver"},
      {"blast-radius", {{"allow", Json::array({"interface:" + pair.ns_a + "/*"})}}},
      {"method",
       Json::array(
           {DriverAction("throttle", "rate",
                         {{"interface", pair.if_a}, {"namespace", pair.ns_a}, {"rate_kbit", 100}}),
            {{"type", "probe"},
             {"name", "tbf-is-there"},
             {"tolerance", 0},
             {"provider",
              {{"type", "process"},
               {"path", "sh"},
               {"arguments", Json::array({"-c", check})}}}}})}};
  Child c;
  EXPECT_EQ(Chaosrun({"run", Write("rate.json", experiment), "--state-dir", state(),
                      "--journal-path", journal()},
                     "run", &c),
            0)
      << c.Output();
  Json j = Journal();
  ASSERT_TRUE(j.is_object()) << c.Output();
  EXPECT_EQ(j["status"], "completed") << j.dump(2);
  EXPECT_EQ(Qdiscs(pair.ns_a, pair.if_a), before);
  EXPECT_TRUE(LedgerEmpty());
}

}  // namespace
}  // namespace chaosrun::network_driver_test
