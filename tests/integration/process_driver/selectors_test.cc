// Selectors (pidfile, unit through a stand-in systemctl), the alive probe on a zombie,
// malformed input through the ABI, and the descriptor's argument schemas as the host checks them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixture.h"
#include "plugin/schema.h"

namespace chaosrun::process_driver_test {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::trunc) << text;
}

TEST_F(ProcessDriverTest, PidfileSelector) {
  const pid_t pid = Spawn({"sleep", UniqueSeconds()});
  const std::string pidfile = tmp_.Write("svc.pid", std::to_string(pid) + "\n");
  const Json sel{{"pidfile", pidfile}};
  EXPECT_EQ(RunningPids(sel), std::vector<int>{pid});
  EXPECT_EQ(Probe("alive", sel).value, Json(true));

  plugin::CallResult plan = Prepare("stop", sel);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"], Json::array({"process:sleep/" + std::to_string(pid)}));
  ASSERT_TRUE(Apply("stop", plan.value).ok());
  ASSERT_TRUE(WaitUntil([&] { return StateOf(pid) == 'T'; }));
  ASSERT_TRUE(Undo("stop", plan.value["undo"]).ok());
  ASSERT_TRUE(WaitUntil([&] { return StateOf(pid) == 'S'; }));

  // A missing or garbled pidfile matches nothing (a probe answers, prepare fails).
  const Json missing{{"pidfile", (tmp_.path() / "none.pid").string()}};
  EXPECT_EQ(Probe("running", missing).value["count"], 0);
  EXPECT_EQ(Probe("alive", missing).value, Json(false));
  EXPECT_EQ(Prepare("stop", missing).status, CHAOSRUN_FAILED);
  const Json garbled{{"pidfile", tmp_.Write("bad.pid", "not a pid\n")}};
  EXPECT_EQ(Probe("running", garbled).value["count"], 0);
  EXPECT_EQ(Probe("alive", garbled).value, Json(false));
}

// Sets PATH to `dir` + the old PATH for the object's lifetime.
class ScopedPathPrefix {
 public:
  explicit ScopedPathPrefix(const std::string& dir) {
    const char* old = std::getenv("PATH");
    old_ = old != nullptr ? old : "/usr/bin:/bin";
    ::setenv("PATH", (dir + ":" + old_).c_str(), 1);
  }
  ~ScopedPathPrefix() { ::setenv("PATH", old_.c_str(), 1); }
  ScopedPathPrefix(const ScopedPathPrefix&) = delete;
  ScopedPathPrefix& operator=(const ScopedPathPrefix&) = delete;

 private:
  std::string old_;
};

TEST_F(ProcessDriverTest, UnitSelectorThroughSystemctl) {
  // These machines have no systemd as PID 1: a stand-in `systemctl`, first on PATH, answers
  // `show -p MainPID --value UNIT` from a file and `start UNIT` by starting a new instance.
  const std::string exe = SleepCopy();
  const std::string name = std::filesystem::path(exe).filename().string();
  const pid_t pid = Spawn({exe, "300"});
  const auto bin = tmp_.path() / "bin";
  const auto state = tmp_.path() / "mainpid";
  const auto calls = tmp_.path() / "calls";
  WriteFile(state, std::to_string(pid) + "\n");
  const std::string script =
      "#!/bin/sh\n"
      "echo \"$*\" >> '" +
      calls.string() +
      "'\n"
      "case \"$1\" in\n"
      "  show) cat '" +
      state.string() +
      "' 2>/dev/null || echo 0 ;;\n"
      "  start) '" +
      exe +
      "' 300 </dev/null >/dev/null 2>&1 &\n"
      "         echo $! > '" +
      state.string() +
      "' ;;\n"
      "  *) echo \"unknown verb $1\" >&2; exit 1 ;;\n"
      "esac\n";
  std::string path = tmp_.Write("bin/systemctl", script);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  ScopedPathPrefix on_path(bin.string());

  const Json sel{{"unit", "crtest.service"}};
  EXPECT_EQ(RunningPids(sel), std::vector<int>{pid});
  EXPECT_THAT(ReadFile(calls), HasSubstr("show -p MainPID --value crtest.service"));

  plugin::CallResult plan = Prepare("kill", sel);  // a unit needs no restart: systemctl start
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_EQ(plan.value["targets"],
            Json::array({"unit:crtest.service", "process:" + name + "/" + std::to_string(pid)}));
  EXPECT_EQ(plan.value["undo"]["unit"], "crtest.service");
  EXPECT_FALSE(plan.value["undo"].contains("restart"));

  plugin::CallResult applied = Apply("kill", plan.value);
  ASSERT_TRUE(applied.ok()) << applied.error();
  Reap(pid);
  WriteFile(state, "0\n");  // what systemd reports for a unit without a main process
  EXPECT_EQ(Probe("running", sel).value["count"], 0);

  plugin::CallResult undone = Undo("kill", plan.value["undo"]);
  ASSERT_TRUE(undone.ok()) << undone.error();
  EXPECT_EQ(undone.value["unit_started"], "crtest.service");
  EXPECT_THAT(ReadFile(calls), HasSubstr("start crtest.service"));
  ASSERT_TRUE(WaitUntil([&] { return std::atoi(ReadFile(state).c_str()) > 0; }));
  const pid_t started = std::atoi(ReadFile(state).c_str());
  Adopt(started);
  ASSERT_TRUE(WaitUntil([&] { return RunningPids(sel) == std::vector<int>{started}; }));

  plugin::CallResult again = Undo("kill", plan.value["undo"]);  // running again: no-op
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_FALSE(again.value.contains("unit_started"));
  std::string log = ReadFile(calls);
  EXPECT_EQ(log.find("start crtest.service"), log.rfind("start crtest.service"))
      << "systemctl start ran more than once:\n"
      << log;
}

TEST_F(ProcessDriverTest, UnitWithoutMainPidMatchesNothing) {
  const auto state = tmp_.path() / "mainpid";
  WriteFile(state, "0\n");
  std::string path = tmp_.Write("bin/systemctl", "#!/bin/sh\ncat '" + state.string() + "'\n");
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  ScopedPathPrefix on_path((tmp_.path() / "bin").string());
  EXPECT_EQ(Probe("running", Json{{"unit", "idle.service"}}).value["count"], 0);
  plugin::CallResult plan = Prepare("kill", Json{{"unit", "idle.service"}});
  EXPECT_EQ(plan.status, CHAOSRUN_FAILED);
  EXPECT_THAT(plan.error(), HasSubstr("no process matches unit \"idle.service\""));
}

TEST_F(ProcessDriverTest, AliveIsFalseForAZombie) {
  const pid_t live = Spawn({"sleep", UniqueSeconds()});
  plugin::CallResult yes = Probe("alive", Json{{"pid", live}});
  ASSERT_TRUE(yes.ok()) << yes.error();
  EXPECT_EQ(yes.value, Json(true));  // a JSON boolean, for "tolerance": true

  const pid_t zombie = Spawn({"true"});
  ASSERT_TRUE(WaitUntil([&] { return StateOf(zombie) == 'Z'; }));
  EXPECT_EQ(Probe("alive", Json{{"pid", zombie}}).value, Json(false));
  EXPECT_EQ(Probe("running", Json{{"pids", {zombie, live}}}).value["pids"], Json::array({live}));
  EXPECT_EQ(Prepare("stop", Json{{"pids", {zombie}}}).status, CHAOSRUN_FAILED);
  Reap(zombie);
}

TEST_F(ProcessDriverTest, MalformedInputIsAnInvalidArgument) {
  const Json bad_args[] = {Json::object(),
                           Json::array(),
                           Json(7),
                           Json(nullptr),
                           Json{{"pids", "12"}},
                           Json{{"name", 5}},
                           Json{{"pids", {-3}}},
                           Json{{"cmdline", "("}},
                           Json{{"name", "x"}, {"count", 0}},
                           Json{{"name", "x"}, {"percent", 0}},
                           Json{{"unit", "--all"}},
                           Json{{"name", "x"}, {"restart", {"x"}}, {"bogus", true}}};
  for (const auto& a : bad_args) {
    EXPECT_EQ(Prepare("kill", a).status, CHAOSRUN_INVALID_ARGUMENT) << a.dump();
    EXPECT_EQ(Prepare("stop", a).status, CHAOSRUN_INVALID_ARGUMENT) << a.dump();
    EXPECT_EQ(Probe("running", a).status, CHAOSRUN_INVALID_ARGUMENT) << a.dump();
    EXPECT_EQ(Apply("stop", a).status, CHAOSRUN_INVALID_ARGUMENT) << a.dump();
    EXPECT_EQ(Undo("kill", a).status, CHAOSRUN_INVALID_ARGUMENT) << a.dump();
    EXPECT_EQ(Undo("stop", a).status, CHAOSRUN_INVALID_ARGUMENT) << a.dump();
  }
  for (const Json& a : {Json{{"pid", 0}}, Json{{"pid", "1"}}, Json::object(),
                        Json{{"pid", 5}, {"pidfile", "/x"}}}) {
    EXPECT_EQ(Probe("alive", a).status, CHAOSRUN_INVALID_ARGUMENT) << a.dump();
  }
  EXPECT_EQ(Probe("nope", Json::object()).status, CHAOSRUN_UNSUPPORTED);
  EXPECT_EQ(Prepare("nope", Json::object()).status, CHAOSRUN_UNSUPPORTED);
  // Protected pids: never, even when asked.
  for (int pid : {1, static_cast<int>(::getpid()), static_cast<int>(::getppid())}) {
    plugin::CallResult r = Prepare("stop", Json{{"pids", {pid}}});
    EXPECT_EQ(r.status, CHAOSRUN_INVALID_ARGUMENT) << pid;
    EXPECT_THAT(r.error(), HasSubstr("protected"));
  }
}

TEST_F(ProcessDriverTest, DescriptorSchemasAcceptAndReject) {
  const plugin::Descriptor& d = driver()->descriptor();
  EXPECT_EQ(d.name, "process");
  EXPECT_EQ(d.version, "1.0.0");
  auto ok = [](const plugin::FuncInfo* f, const Json& args) {
    return plugin::CheckAgainstSchema(f->arguments_schema, args, "/arguments").empty();
  };
  const plugin::FuncInfo* kill = d.FindAction("kill");
  const plugin::FuncInfo* stop = d.FindAction("stop");
  const plugin::FuncInfo* running = d.FindProbe("running");
  const plugin::FuncInfo* alive = d.FindProbe("alive");
  ASSERT_TRUE(kill && stop && running && alive);

  for (const char* text :
       {R"({"name": "redis-server", "restart": ["redis-server"]})", R"({"unit": "redis.service"})",
        R"({"unit": "redis.service", "signal": "TERM", "count": 1})",
        R"({"cmdline": "x", "restart": ["a"], "count": 2, "seed": 1, "signal": "SIGTERM"})",
        R"({"pids": [5], "restart": ["a", "b"], "signal": 15, "percent": 50})",
        R"({"pidfile": "/run/x.pid", "restart": ["a"], "percent": 100})"}) {
    EXPECT_TRUE(ok(kill, Json::parse(text))) << text;
  }
  for (const char* text :
       {R"({"name": "x"})", R"({})", R"({"restart": ["a"]})",
        R"({"name": "x", "pids": [1], "restart": ["a"]})",
        R"({"name": "x", "restart": ["a"], "count": 1, "percent": 5})",
        R"({"name": "x", "restart": ["a"], "bogus": 1})",
        R"({"name": "abcdefghijklmnop", "restart": ["a"]})",
        R"({"name": "x", "restart": ["a"], "percent": 0})",
        R"({"name": "x", "restart": ["a"], "percent": 101})",
        R"({"name": "x", "restart": ["a"], "count": 0})",
        R"({"name": "x", "restart": ["a"], "seed": -1})",
        R"({"name": "x", "restart": ["a"], "signal": "SIGSTOP"})",
        R"({"name": "x", "restart": ["a"], "signal": "kill"})",
        R"({"name": "x", "restart": ["a"], "signal": 0})", R"({"name": "x", "restart": []})",
        R"({"name": "x", "restart": "a"})", R"({"unit": "-x"})",
        R"({"pids": [], "restart": ["a"]})", R"({"pids": [0], "restart": ["a"]})"}) {
    EXPECT_FALSE(ok(kill, Json::parse(text))) << text;
  }
  EXPECT_TRUE(ok(stop, Json::parse(R"({"name": "redis-server", "count": 1})")));
  EXPECT_TRUE(ok(stop, Json::parse(R"({"cmdline": "^nginx: worker", "percent": 50, "seed": 3})")));
  EXPECT_FALSE(ok(stop, Json::parse(R"({"name": "x", "signal": "KILL"})")));
  EXPECT_FALSE(ok(stop, Json::parse(R"({"name": "x", "restart": ["a"]})")));
  EXPECT_TRUE(ok(running, Json::parse(R"({"name": "x"})")));
  EXPECT_FALSE(ok(running, Json::parse(R"({})")));
  EXPECT_FALSE(ok(running, Json::parse(R"({"name": "x", "count": 1})")));
  EXPECT_TRUE(ok(alive, Json::parse(R"({"pid": 5})")));
  EXPECT_TRUE(ok(alive, Json::parse(R"({"pidfile": "/run/x.pid"})")));
  EXPECT_FALSE(ok(alive, Json::parse(R"({"pid": 0})")));
  EXPECT_FALSE(ok(alive, Json::parse(R"({})")));
  EXPECT_FALSE(ok(alive, Json::parse(R"({"pid": 5, "pidfile": "/x"})")));
}

}  // namespace
}  // namespace chaosrun::process_driver_test
