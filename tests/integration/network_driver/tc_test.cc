// The tc actions through the built .so, inside two network namespaces joined by a veth pair that
// each test creates and deletes: `rate` (tbf) fully, netem where the kernel has sch_netem (and
// its refusal where it has not), exact restoration of the previous root qdisc, refusals.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/cancel.h"
#include "harness.h"

namespace chaosrun::network_driver_test {
namespace {

using ::testing::HasSubstr;

class TcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    driver_ = LoadedDriver(&error);
    ASSERT_NE(driver_, nullptr) << error;
    ASSERT_TRUE(pair_.ok()) << "cannot create the namespaces and veth pair";
  }

  plugin::CallResult Prepare(const std::string& func, Json args) {
    return driver_->Prepare(func, args, CancelToken());
  }
  plugin::CallResult Apply(const std::string& func, const Json& plan) {
    return driver_->Apply(func, plan, CancelToken());
  }
  plugin::CallResult Undo(const std::string& func, const Json& undo) {
    return driver_->Undo(func, undo, CancelToken());
  }
  Json Root() { return RootQdisc(pair_.ns_a, pair_.if_a); }
  Json At(Json args) {
    args["interface"] = pair_.if_a;
    args["namespace"] = pair_.ns_a;
    return args;
  }

  plugin::Driver* driver_ = nullptr;
  VethPair pair_;
};

// Sends `bytes` from namespace a to b over the veth; returns the seconds until b acknowledged
// receiving all of them (or a negative number on failure).
double Transfer(const VethPair& pair, size_t bytes) {
  int server = SocketIn(pair.ns_b, AF_INET, SOCK_STREAM);
  int client = SocketIn(pair.ns_a, AF_INET, SOCK_STREAM);
  if (server < 0 || client < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, pair.ip_b.c_str(), &addr.sin_addr);
  socklen_t len = sizeof(addr);
  if (::bind(server, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(server, 1) != 0 ||
      ::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return -1;
  }
  std::thread receiver([&] {
    int conn = ::accept(server, nullptr, nullptr);
    if (conn < 0) return;
    std::vector<char> buf(65536);
    size_t got = 0;
    while (got < bytes) {
      ssize_t n = ::recv(conn, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    char ack = got == bytes ? 'k' : 'x';
    (void)::send(conn, &ack, 1, MSG_NOSIGNAL);
    ::close(conn);
  });
  double seconds = -1;
  auto start = std::chrono::steady_clock::now();
  if (::connect(client, reinterpret_cast<sockaddr*>(&addr), len) == 0) {
    std::vector<char> data(bytes, 'z');
    size_t sent = 0;
    while (sent < bytes) {
      ssize_t n = ::send(client, data.data() + sent, bytes - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    char ack = 0;
    if (sent == bytes && ::recv(client, &ack, 1, 0) == 1 && ack == 'k') {
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  ::close(client);
  receiver.join();
  ::close(server);
  return seconds;
}

// Seconds a TCP connect from namespace a to b takes (negative on failure).
double ConnectSeconds(const VethPair& pair) {
  int server = SocketIn(pair.ns_b, AF_INET, SOCK_STREAM);
  int client = SocketIn(pair.ns_a, AF_INET, SOCK_STREAM);
  double seconds = -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, pair.ip_b.c_str(), &addr.sin_addr);
  socklen_t len = sizeof(addr);
  if (server >= 0 && client >= 0 && ::bind(server, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      ::listen(server, 1) == 0 &&
      ::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    auto start = std::chrono::steady_clock::now();
    if (::connect(client, reinterpret_cast<sockaddr*>(&addr), len) == 0) {
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  if (client >= 0) ::close(client);
  if (server >= 0) ::close(server);
  return seconds;
}

TEST_F(TcTest, RateInstallsTbfAndUndoRestoresTheDefault) {
  const Json before = Root();
  ASSERT_EQ(before.value("handle", ""), "0:") << before.dump();

  plugin::CallResult plan =
      Prepare("rate", At({{"rate_kbit", 8000}, {"burst_bytes", 20000}, {"latency_ms", 100}}));
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"], Json::array({"interface:" + pair_.ns_a + "/" + pair_.if_a}));
  EXPECT_EQ(plan.value["previous"]["default"], true);
  EXPECT_EQ(Root(), before) << "prepare must change nothing";

  plugin::CallResult applied = Apply("rate", plan.value);
  ASSERT_TRUE(applied.ok()) << applied.error();
  Json root = Root();
  EXPECT_EQ(root["kind"], "tbf") << root.dump();
  EXPECT_EQ(root["handle"], plan.value["handle"]);
  EXPECT_EQ(root["options"]["rate"], 1000000) << "8000 kbit/s = 1,000,000 bytes/s";
  EXPECT_EQ(root["options"]["burst"], 20000);

  plugin::CallResult undone = Undo("rate", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["restored"], true);
  EXPECT_EQ(Root(), before);

  plugin::CallResult again = Undo("rate", plan.value["undo"]);  // idempotent
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again.value["restored"], false);
  EXPECT_EQ(Root(), before);
}

TEST_F(TcTest, RateSlowsATransferAcrossTheVeth) {
  constexpr size_t kBytes = 1500000;
  constexpr double kRate = 1000000;  // bytes/s: 8000 kbit/s
  constexpr double kBurst = 20000;
  plugin::CallResult plan =
      Prepare("rate", At({{"rate_kbit", 8000}, {"burst_bytes", 20000}, {"latency_ms", 200}}));
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply("rate", plan.value).ok());
  const double seconds = Transfer(pair_, kBytes);
  ASSERT_GT(seconds, 0) << "the transfer failed";
  // The bucket lets through at most burst + rate * t bytes in t seconds (headers only add).
  EXPECT_GE(seconds, (kBytes - kBurst) / kRate);
  ASSERT_TRUE(Undo("rate", plan.value["undo"]).ok());
  EXPECT_EQ(Root().value("handle", ""), "0:");
  EXPECT_GE(ConnectSeconds(pair_), 0.0) << "the pair still carries connections";
}

TEST_F(TcTest, UndoRebuildsARecordedNonDefaultRoot) {
  MustRun({"tc", "-n", pair_.ns_a, "qdisc", "add", "dev", pair_.if_a, "root", "handle",
           "5:", "pfifo", "limit", "77"});
  const Json before = Root();
  ASSERT_EQ(before.value("kind", ""), "pfifo");
  plugin::CallResult plan = Prepare("rate", At({{"rate_kbit", 1000}}));
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["previous"]["default"], false);
  ASSERT_TRUE(Apply("rate", plan.value).ok());
  EXPECT_EQ(Root().value("kind", ""), "tbf");
  plugin::CallResult undone = Undo("rate", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  Json after = Root();
  EXPECT_EQ(after["kind"], "pfifo");
  EXPECT_EQ(after["handle"], "5:");
  EXPECT_EQ(after["options"], before["options"]);
}

TEST_F(TcTest, ADownInterfaceGetsTheDefaultBackWhenItComesUp) {
  MustRun({"ip", "-n", pair_.ns_a, "link", "set", pair_.if_a, "down"});
  const Json before = Qdiscs(pair_.ns_a, pair_.if_a);
  ASSERT_TRUE(before.is_array());
  plugin::CallResult plan = Prepare("rate", At({{"rate_kbit", 1000}}));
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply("rate", plan.value).ok());
  EXPECT_EQ(Root().value("kind", ""), "tbf");
  ASSERT_TRUE(Undo("rate", plan.value["undo"]).ok());
  // The kernel attaches its default qdisc to an interface when it comes up.
  MustRun({"ip", "-n", pair_.ns_a, "link", "set", pair_.if_a, "up"});
  EXPECT_EQ(Qdiscs(pair_.ns_a, pair_.if_a), before);
}

TEST_F(TcTest, NestedFaultsUndoInReverseOrder) {
  plugin::CallResult first = Prepare("rate", At({{"rate_kbit", 1000}}));
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_TRUE(Apply("rate", first.value).ok());
  plugin::CallResult second = Prepare("rate", At({{"rate_kbit", 500}}));
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_NE(second.value["handle"], first.value["handle"]);
  ASSERT_TRUE(Apply("rate", second.value).ok());
  ASSERT_TRUE(Undo("rate", second.value["undo"]).ok());
  EXPECT_EQ(Root()["handle"], first.value["handle"]);
  EXPECT_EQ(Root()["options"]["rate"], 125000);
  ASSERT_TRUE(Undo("rate", first.value["undo"]).ok());
  EXPECT_EQ(Root().value("handle", ""), "0:");
}

TEST_F(TcTest, RefusesARootItCannotRestoreAndTouchesNothing) {
  MustRun({"tc", "-n", pair_.ns_a, "qdisc", "add", "dev", pair_.if_a, "root", "handle", "1:", "htb",
           "default", "1"});
  // Kind, handle and configuration: htb's packet counters may move on their own.
  auto shape = [&] {
    Json out = Json::array();
    for (const auto& q : Qdiscs(pair_.ns_a, pair_.if_a)) {
      out.push_back({q["kind"], q["handle"], q["options"]["default"], q["options"]["r2q"]});
    }
    return out;
  };
  const Json before = shape();
  ASSERT_EQ(before.size(), 1u);
  plugin::CallResult plan = Prepare("rate", At({{"rate_kbit", 1000}}));
  EXPECT_EQ(plan.status, CHAOSRUN_FAILED);
  EXPECT_THAT(plan.error(), HasSubstr("htb 1:"));
  EXPECT_EQ(shape(), before);
}

TEST_F(TcTest, RefusesAMissingInterface) {
  plugin::CallResult plan =
      Prepare("rate", {{"interface", "nosuch0"}, {"namespace", pair_.ns_a}, {"rate_kbit", 100}});
  EXPECT_EQ(plan.status, CHAOSRUN_FAILED);
  EXPECT_THAT(plan.error(), HasSubstr("nosuch0"));
}

TEST_F(TcTest, UndoOfAVanishedInterfaceSucceeds) {
  plugin::CallResult plan = Prepare("rate", At({{"rate_kbit", 1000}}));
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_TRUE(Apply("rate", plan.value).ok());
  MustRun({"ip", "-n", pair_.ns_a, "link", "del", pair_.if_a});
  plugin::CallResult undone = Undo("rate", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["restored"], false);
}

TEST_F(TcTest, NetemIsRefusedOnAKernelWithoutSchNetem) {
  if (KernelHasNetem()) GTEST_SKIP() << "this kernel has sch_netem: no refusal to show";
  const Json before = Qdiscs(pair_.ns_a, pair_.if_a);
  for (const char* func : {"delay", "loss", "corrupt", "duplicate", "reorder"}) {
    Json args = std::string(func) == "delay" ? Json{{"delay_ms", 100}} : Json{{"percent", 10}};
    plugin::CallResult plan = Prepare(func, At(args));
    EXPECT_EQ(plan.status, CHAOSRUN_UNSUPPORTED) << func << ": " << plan.value.dump();
    EXPECT_THAT(plan.error(), HasSubstr("sch_netem")) << func;
    EXPECT_THAT(plan.error(), HasSubstr("nothing applied")) << func;
  }
  EXPECT_EQ(Qdiscs(pair_.ns_a, pair_.if_a), before);
  plugin::CallResult support = driver_->Probe("qdisc_support", {{"kind", "netem"}}, CancelToken());
  ASSERT_TRUE(support.ok()) << support.error();
  EXPECT_EQ(support.value["supported"], false);
  support = driver_->Probe("qdisc_support", {{"kind", "tbf"}}, CancelToken());
  EXPECT_EQ(support.value["supported"], true) << support.value.dump();
}

TEST_F(TcTest, NetemActionsApplyAndUndo) {
  if (!KernelHasNetem()) {
    GTEST_SKIP() << "the kernel has no sch_netem (tc qdisc add ... netem: unknown qdisc kind); "
                    "the netem tests need it";
  }
  const Json before = Root();
  const std::vector<std::pair<std::string, Json>> cases = {
      {"delay", {{"delay_ms", 50}, {"jitter_ms", 5}}},
      {"loss", {{"percent", 10}}},
      {"corrupt", {{"percent", 1}}},
      {"duplicate", {{"percent", 5}}},
      {"reorder", {{"percent", 25}, {"delay_ms", 20}}}};
  for (const auto& [func, args] : cases) {
    plugin::CallResult plan = Prepare(func, At(args));
    ASSERT_TRUE(plan.ok()) << func << ": " << plan.error();
    ASSERT_TRUE(Apply(func, plan.value).ok()) << func;
    EXPECT_EQ(Root().value("kind", ""), "netem") << func;
    if (func == "delay") {
      // The SYN leaves through the delayed interface: a connect takes at least 50 - 5 ms.
      EXPECT_GE(ConnectSeconds(pair_), 0.045);
    }
    ASSERT_TRUE(Undo(func, plan.value["undo"]).ok()) << func;
    EXPECT_EQ(Root(), before) << func;
  }
}

}  // namespace
}  // namespace chaosrun::network_driver_test
