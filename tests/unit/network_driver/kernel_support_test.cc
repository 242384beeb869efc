// Detecting a qdisc kind from files (a fake /sys and /lib/modules in a temp dir), and the
// descriptor: every action and probe it lists is one the driver answers.
#include "network/kernel_support.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "network/actions.h"
#include "network/descriptor.h"
#include "network/proxy_spec.h"
#include "network/tc_spec.h"
#include "support/temp_dir.h"

namespace chaosrun::drivers::network {
namespace {

using ::testing::HasSubstr;

class KernelFilesTest : public ::testing::Test {
 protected:
  Env FakeEnv() {
    Env env;
    env.sys_root = (tmp_.path() / "sys").string();
    env.modules_root = (tmp_.path() / "modules").string();
    std::filesystem::create_directories(env.sys_root + "/module/sch_htb");
    std::filesystem::create_directories(env.modules_root + "/6.1.0-test/kernel/net/sched");
    return env;
  }
  chaosrun::testing::TempDir tmp_;
};

TEST_F(KernelFilesTest, LoadedModule) {
  QdiscSupport s = DetectQdiscFromFiles("htb", "6.1.0-test", FakeEnv());
  EXPECT_TRUE(s.known);
  EXPECT_TRUE(s.supported);
  EXPECT_THAT(s.how, HasSubstr("sch_htb is loaded"));
}

TEST_F(KernelFilesTest, BuiltIn) {
  Env env = FakeEnv();
  tmp_.Write("modules/6.1.0-test/modules.builtin",
             "kernel/net/sched/sch_tbf.ko\nkernel/net/sched/sch_netem.ko\n");
  QdiscSupport s = DetectQdiscFromFiles("netem", "6.1.0-test", env);
  EXPECT_TRUE(s.supported);
  EXPECT_THAT(s.how, HasSubstr("built into kernel 6.1.0-test"));
}

TEST_F(KernelFilesTest, InstalledModule) {
  Env env = FakeEnv();
  tmp_.Write("modules/6.1.0-test/kernel/net/sched/sch_netem.ko.xz", "");
  QdiscSupport s = DetectQdiscFromFiles("netem", "6.1.0-test", env);
  EXPECT_TRUE(s.supported);
  EXPECT_THAT(s.how, HasSubstr("installed"));
}

TEST_F(KernelFilesTest, UndecidedNamesTheModule) {
  Env env = FakeEnv();
  tmp_.Write("modules/6.1.0-test/modules.builtin", "kernel/net/sched/sch_tbf.ko\n");
  QdiscSupport s = DetectQdiscFromFiles("netem", "6.1.0-test", env);
  EXPECT_FALSE(s.known);
  EXPECT_THAT(s.how, HasSubstr("sch_netem is neither loaded, built in nor installed"));
}

TEST(DescriptorTest, EveryEntryIsAnswered) {
  nlohmann::json d = BuildDescriptor();
  EXPECT_EQ(d["name"], "network");
  ASSERT_TRUE(d["actions"].is_array());
  for (const auto& a : d["actions"]) {
    std::string name = a["name"];
    EXPECT_TRUE(IsProxyAction(name) || IsTcAction(name)) << name;
    EXPECT_EQ(a["arguments"]["additionalProperties"], false) << name;
  }
  for (const auto& p : d["probes"]) {
    // An empty argument object is invalid for each probe: it reaches the probe, not "unknown".
    sdk::Reply r = Probe(p["name"], nlohmann::json::object(), Env());
    EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT) << p["name"] << r.value.dump();
  }
  EXPECT_EQ(Prepare("teleport", nlohmann::json::object(), Env()).status, CHAOSRUN_UNSUPPORTED);
  EXPECT_EQ(Probe("ping", nlohmann::json::object(), Env()).status, CHAOSRUN_UNSUPPORTED);
  EXPECT_NE(std::string(DescriptorJson()), "");
}

TEST(DescriptorTest, InvalidArgumentsChangeNothingAndSayWhy) {
  sdk::Reply r = Prepare("rate", {{"interface", "eth0"}}, Env());
  EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_THAT(r.value["error"].get<std::string>(), HasSubstr("rate_kbit"));
  r = Undo("add_toxic", {{"proxy", "p"}}, Env());
  EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT);
  r = Undo("delay", {{"interface", "eth0"}}, Env());
  EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace chaosrun::drivers::network
