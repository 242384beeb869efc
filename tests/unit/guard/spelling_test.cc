// The host's protections hold however a driver spells a target (guard/targets.h): pid 1 and the
// runner under every spelling, targets the guard cannot read, non-string targets, the
// loopback and default-route interfaces, unbounded selections, unreadable policy files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "guard/guard.h"
#include "support/temp_dir.h"

namespace chaosrun::guard {
namespace {

Policy Layer(const std::string& json) {
  auto p = ParsePolicy(Json::parse(json), "experiment");
  EXPECT_TRUE(p.has_value()) << p.error().message();
  return *p;
}

// A guard whose host has eth0 (index 2, also called "wan0") on the default route and lo.
std::unique_ptr<Guard> GuardWithInterfaces(std::vector<Policy> layers = {}) {
  auto g = std::make_unique<Guard>(std::move(layers), ProtectedPids());
  HostInterfaces h;
  h.names = {"lo", "eth0"};
  h.index_of = [](const std::string& n) -> unsigned {
    if (n == "lo") return 1;
    if (n == "eth0" || n == "wan0") return 2;
    if (n == "veth7") return 7;
    return 0;
  };
  g->set_host_interfaces(std::move(h));
  return g;
}

TEST(Spelling, PidOneUnderEverySpellingIsRefused) {
  Guard g({}, ProtectedPids());
  for (const char* t :
       {"process:1", "process:/1", "pid:1", " process:init/1", "process:systemd/0001",
        "PROCESS:x/1", "Process : x / 1 ", "process:x/+1", "tid:1", "task:a/1", "proc:1",
        "pidfd:x/01", "thread:x/1\n", "pgid:0001", "process:\tx/1"}) {
    Status st = g.Admit({t});
    EXPECT_FALSE(st.ok()) << "'" << t << "' was admitted";
  }
  EXPECT_EQ(g.admitted(), 0);
}

TEST(Spelling, TheRunnerAndItsParentUnderEverySpellingAreRefused) {
  Guard g({}, ProtectedPids());
  for (pid_t pid : {::getpid(), ::getppid()}) {
    const std::string n = std::to_string(pid);
    for (const std::string& t : {"process:" + n, "process:/" + n, "pid:" + n, " process:sleep/" + n,
                                 "process:sleep/000" + n, "PID: " + n, "process:a/b/" + n}) {
      EXPECT_FALSE(g.Admit({t}).ok()) << "'" << t << "' was admitted";
    }
  }
  EXPECT_TRUE(g.Admit({"process:sleep/999999"}).ok());
  EXPECT_TRUE(g.Admit({"pid:999998"}).ok());
}

TEST(Spelling, BuiltInNamesHoldUnderOtherSpellings) {
  Guard g({}, {1});
  EXPECT_FALSE(g.Admit({" process:sshd/777"}).ok());
  EXPECT_FALSE(g.Admit({"pid:sshd/777"}).ok());
  EXPECT_FALSE(g.Admit({"PROCESS:init/777"}).ok());
  EXPECT_FALSE(g.Admit({"unit:sshd"}).ok());  // systemctl reads it as sshd.service
  EXPECT_FALSE(g.Admit({"UNIT: sshd.service "}).ok());
  EXPECT_FALSE(g.Admit({"service:dbus"}).ok());
  EXPECT_TRUE(g.Admit({"unit:redis"}).ok());
}

TEST(Spelling, DenyPatternsSeeTheCanonicalSpelling) {
  Guard g({Layer(R"({"deny": ["process:redis-server/*"]})")}, {1});
  EXPECT_FALSE(g.Admit({"pid:redis-server/0042"}).ok());
  Guard allow({Layer(R"({"allow": ["process:worker/*"]})")}, {1});
  EXPECT_TRUE(allow.Admit({" pid:worker/12"}).ok());
}

TEST(Spelling, UnreadableTargetsOfProtectedKindsAreRefused) {
  Guard g({}, {1});
  for (const char* t : {"process:x/", "process:x/12a", "pid:-1", "process:x/-1", "process:0",
                        "process:x/99999999999", "pid:", "unit:", "unit: ", "interface:host/",
                        "no-kind-at-all", ":x/5", ""}) {
    Status st = g.Admit({t});
    ASSERT_FALSE(st.ok()) << "'" << t << "' was admitted";
    EXPECT_NE(st.message().find("cannot be checked"), std::string::npos) << st.message();
  }
  Refusal r;
  EXPECT_FALSE(g.Admit({"process:x/abc"}, &r).ok());
  EXPECT_EQ(r.rule, "unreadable");
  EXPECT_TRUE(g.Admit({"proxy:127.0.0.1:8474/web"}).ok());  // not a protected kind
}

TEST(Spelling, ParseTargetCanonicalForms) {
  EXPECT_EQ(ParseTarget(" pid:init/0001")->canonical, "process:init/1");
  EXPECT_EQ(ParseTarget("process:1")->canonical, "process:/1");
  EXPECT_EQ(ParseTarget("unit:redis")->canonical, "unit:redis.service");
  EXPECT_EQ(ParseTarget("interface:lo")->canonical, "interface:host/lo");
  EXPECT_EQ(ParseTarget("dev: /eth0")->canonical, "interface:host/eth0");
  EXPECT_EQ(ParseTarget("interface:ns1/veth0")->netns, "ns1");
  EXPECT_EQ(ProcessTargetPid("pid:0042"), 42);
}

TEST(PlanTargets, NonStringTargetsAreRefusedNotDropped) {
  Guard g({}, {1});
  for (const char* plan : {R"({"targets": [1]})", R"({"targets": [{"pid": 1}]})",
                           R"({"targets": ["process:sleep/99999", null]})",
                           R"({"targets": "process:1"})", R"({"targets": {"pid": 1}})"}) {
    auto t = g.PlanTargets(Json::parse(plan));
    ASSERT_FALSE(t.has_value()) << plan;
    EXPECT_NE(t.error().message().find("not a"), std::string::npos) << t.error().message();
  }
  auto one = g.PlanTargets(Json::parse(R"({"targets": [1]})"));
  EXPECT_NE(one.error().message().find("/targets/0"), std::string::npos);
  auto ok = g.PlanTargets(Json::parse(R"({"targets": ["process:sleep/99999"]})"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, std::vector<std::string>{"process:sleep/99999"});
}

TEST(PlanTargets, UnboundedSelectionNeedsMaxTargetsPerAction) {
  Json plan = Json::parse(R"({"targets": ["process:w/100", "process:w/101"], "matched": 2,
                              "unbounded": true})");
  Guard none({}, {1});
  auto refused = none.PlanTargets(plan);
  ASSERT_FALSE(refused.has_value());
  const std::string& m = refused.error().message();
  EXPECT_NE(m.find("matched 2"), std::string::npos) << m;
  EXPECT_NE(m.find("count or percent"), std::string::npos) << m;
  EXPECT_NE(m.find("max-targets-per-action"), std::string::npos) << m;
  Guard limited({Layer(R"({"max-targets-per-action": 5})")}, {1});
  EXPECT_TRUE(limited.PlanTargets(plan).has_value());
  plan["unbounded"] = false;
  EXPECT_TRUE(none.PlanTargets(plan).has_value());
}

TEST(Interfaces, LoopbackAndDefaultRouteAreRefusedUnlessNamed) {
  auto g = GuardWithInterfaces();
  for (const char* t : {"interface:host/lo", "interface:lo", "interface: host / eth0", "dev:eth0",
                        "interface:host/wan0"}) {  // wan0: an altname of eth0
    Status st = g->Admit({t});
    ASSERT_FALSE(st.ok()) << t;
    EXPECT_NE(st.message().find("allow-interfaces"), std::string::npos) << st.message();
  }
  EXPECT_TRUE(g->Admit({"interface:host/veth7"}).ok());
  EXPECT_TRUE(g->Admit({"interface:ns1/lo"}).ok());  // another namespace's loopback

  auto named = GuardWithInterfaces({Layer(R"({"allow-interfaces": ["lo", "wan0"]})")});
  EXPECT_TRUE(named->Admit({"interface:host/lo"}).ok());
  EXPECT_TRUE(named->Admit({"interface:host/eth0"}).ok());  // the same interface as wan0
  auto denied = GuardWithInterfaces(
      {Layer(R"({"allow-interfaces": ["lo"], "deny": ["interface:host/lo"]})")});
  EXPECT_FALSE(denied->Admit({"interface:lo"}).ok());  // naming lifts only the protection
}

TEST(Interfaces, DefaultRouteFromProcNet) {
  const std::string route =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
      "eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
      "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
      "blk0\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n";
  const std::string v6 =
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "fe800000000000000000000000000001 00000400 00000001 00000000 00000003     wlan0\n"
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
      "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth1\n";
  EXPECT_EQ(DefaultRouteInterfaces(route, v6), (std::set<std::string>{"eth0", "wlan0"}));
  EXPECT_TRUE(DefaultRouteInterfaces("", "").empty());
  HostInterfaces live = ReadHostInterfaces();
  EXPECT_EQ(live.names.count("lo"), 1u);
}

TEST(PolicyFile, UnreadableIsAnError) {
  testing::TempDir dir;
  // A directory where the file should be (root reads anything, but not a directory as JSON).
  std::filesystem::create_directory(dir.path() / "policy.json");
  for (bool must_exist : {true, false}) {
    auto r = LoadPolicyFile((dir.path() / "policy.json").string(), must_exist);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message().find("cannot read policy file"), std::string::npos)
        << r.error().message();
  }
  // A path through a regular file (ENOTDIR) is not "missing", even for the default path.
  std::string file = dir.Write("plain", "{}");
  auto through = LoadPolicyFile(file + "/policy.json", false);
  ASSERT_FALSE(through.has_value());
  EXPECT_NE(through.error().message().find("cannot read policy file"), std::string::npos);
  EXPECT_TRUE(LoadPolicyFile((dir.path() / "absent.json").string(), false).has_value());
}

TEST(PolicyFile, AllowInterfacesIsChecked) {
  EXPECT_EQ(CheckPolicyJson(Json::parse(R"({"allow-interfaces": "lo"})"), "/p").size(), 1u);
  EXPECT_EQ(CheckPolicyJson(Json::parse(R"({"allow-interfaces": ["lo"]})"), "/p").size(), 0u);
  EXPECT_EQ(Layer(R"({"allow-interfaces": ["lo"]})").allow_interfaces,
            std::vector<std::string>{"lo"});
}

}  // namespace
}  // namespace chaosrun::guard
