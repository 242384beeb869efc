// `chaosrun run` and `validate` (the real binary) with python providers and controls, the
// system's Python and the modules of modules/ on PYTHONPATH: journal shapes and tolerances, a
// control at every hook point, a control that cannot be loaded, InterruptExecution from a
// control, a chaosaddons-style safeguard that trips while a process-driver fault is held (the
// fault is undone), and no Python at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "python_run.h"

namespace chaosrun::python_run {
namespace {

using ::testing::HasSubstr;

TEST_F(PythonRunTest, ResultsExceptionsAndTolerancesKeepTheReferencesShapes) {
  Json e = Experiment(Json::array(
      {Py("probe", "an-object", "value", {{"kind", "object"}}), Py("action", "raises", "boom"),
       Py("probe", "a-float", "value", {{"kind", "float"}}),
       Py("action", "hangs", "mark_and_hang", {{"path", (tmp_.path() / "m").string()}})}));
  e["method"][3]["provider"]["timeout"] = 0.5;
  Json p = Py("probe", "is-42", "value", {{"kind", "int"}});
  p["tolerance"] = 42;
  e["steady-state-hypothesis"] = {{"title", "h"}, {"probes", Json::array({p})}};
  RunOutput r = Run(e);
  EXPECT_EQ(r.status, 0) << r.err;
  Json j = ReadJournal();
  ASSERT_TRUE(j.is_object()) << r.err;
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["steady_states"]["after"]["probes"][0]["tolerance_met"], true);
  EXPECT_EQ(j["run"][0]["output"], (Json{{"a", {{"b", {1, 2}}}}}));
  EXPECT_EQ(j["run"][1]["status"], "failed");
  EXPECT_EQ(j["run"][1]["output"], nullptr);
  const Json& exc = j["run"][1]["exception"];
  ASSERT_TRUE(exc.is_array() && exc.size() >= 3) << exc;
  EXPECT_EQ(exc[0], "Traceback (most recent call last):\n");
  EXPECT_EQ(exc.back(), "chaoslib.exceptions.ActivityFailed: ValueError: it broke\n");
  EXPECT_EQ(j["run"][2]["output"], 2.5);
  EXPECT_EQ(j["run"][3]["status"], "failed");
  EXPECT_THAT(j["run"][3]["exception"].back().get<std::string>(),
              HasSubstr("python activity took too long to complete (timeout 0.5 s)"));
}

TEST_F(PythonRunTest, ConfigurationAndSecretsAreInjectedAndSecretsRedacted) {
  Json e = Experiment(
      Json::array({Py("probe", "conf", "with_configuration"), Py("probe", "both", "with_both")}));
  e["configuration"] = {{"region", "eu"}};
  e["secrets"] = {{"k8s", {{"token", "s3cr3t-value"}}}};
  e["method"][1]["provider"]["secrets"] = {"k8s"};
  RunOutput r = Run(e);
  EXPECT_EQ(r.status, 0) << r.err;
  Json j = ReadJournal();
  EXPECT_EQ(j["run"][0]["output"]["configuration"], (Json{{"region", "eu"}}));
  EXPECT_EQ(j["run"][1]["output"]["secrets"]["token"], "***");  // passed, never written
  EXPECT_EQ(std::string(j.dump()).find("s3cr3t-value"), std::string::npos);
}

TEST_F(PythonRunTest, AControlAtEveryHookPoint) {
  const std::string log = (tmp_.path() / "hooks.jsonl").string();
  Json e = Experiment(Json::array({Py("action", "act", "plain", {{"a", 1}})}));
  Json probe = Py("probe", "hyp", "value", {{"kind", "bool"}});
  probe["tolerance"] = true;
  e["steady-state-hypothesis"] = {{"title", "h"}, {"probes", Json::array({probe})}};
  e["rollbacks"] = Json::array({Py("action", "rb", "plain", {{"a", 2}})});
  e["controls"] = Json::array(
      {{{"name", "rec"},
        {"provider",
         {{"type", "python"}, {"module", "recorder"}, {"arguments", {{"path", log}}}}}}});
  RunOutput r = Run(e, {"--rollback-strategy", "always"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<std::string> hooks;
  for (const Json& l : ReadLines(log)) {
    std::string h = l["hook"].get<std::string>();
    if (l.contains("context") && l["context"].is_string())
      h += ":" + l["context"].get<std::string>();
    hooks.push_back(h);
  }
  const std::vector<std::string> expected = {
      "configure_control",
      "before_experiment_control:python",
      "before_hypothesis_control:h",
      "before_activity_control:hyp",
      "after_activity_control:hyp",
      "after_hypothesis_control:h",
      "before_method_control:python",
      "before_activity_control:act",
      "after_activity_control:act",
      "after_method_control:python",
      "before_hypothesis_control:h",
      "before_activity_control:hyp",
      "after_activity_control:hyp",
      "after_hypothesis_control:h",
      "before_rollback_control:python",
      "before_activity_control:rb",
      "after_activity_control:rb",
      "after_rollback_control:python",
      "after_experiment_control:python",
      "cleanup_control",
  };
  EXPECT_EQ(hooks, expected) << r.err;
  // The after-experiment hook sees the journal (its status), the configure hook the title.
  std::vector<Json> lines = ReadLines(log);
  EXPECT_EQ(lines.front()["title"], "python");
  EXPECT_EQ(lines[lines.size() - 2]["status"], "completed");
}

TEST_F(PythonRunTest, AGlobalControlFromAControlFile) {
  const std::string log = (tmp_.path() / "hooks.jsonl").string();
  Json controls = {
      {"rec",
       {{"provider",
         {{"type", "python"}, {"module", "recorder"}, {"arguments", {{"path", log}}}}}}}};
  const std::string file = tmp_.Write("controls.json", controls.dump());
  RunOutput r = Run(Experiment(Json::array({Py("action", "act", "plain", {{"a", 1}})})),
                    {"--control-file", file});
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(fs::exists(log)) << r.err;
  std::vector<std::string> hooks;
  for (const Json& l : ReadLines(log)) hooks.push_back(l["hook"].get<std::string>());
  // Global: configured first, cleaned up last, and at the method's activity too.
  ASSERT_FALSE(hooks.empty());
  EXPECT_EQ(hooks.front(), "configure_control");
  EXPECT_EQ(hooks.back(), "cleanup_control");
  EXPECT_THAT(hooks, ::testing::Contains("before_experiment_control"));
  EXPECT_THAT(hooks, ::testing::Contains("before_activity_control"));
  EXPECT_THAT(hooks, ::testing::Contains("after_activity_control"));
}

TEST_F(PythonRunTest, PythonPicksTheInterpreterForRunAndValidate) {
  // A wrapper that records each start, then runs the system's Python; CHAOSRUN_PYTHON names
  // one that does not exist, so only --python can make these pass.
  const std::string starts = (tmp_.path() / "starts").string();
  const std::string wrapper = tmp_.Write("python-wrapper", "#!/bin/sh\necho \"$@\" >> '" + starts +
                                                               "'\nexec " + Python() + " \"$@\"\n");
  ASSERT_EQ(::chmod(wrapper.c_str(), 0700), 0);
  auto started = [&] { return ReadText(starts); };
  const std::vector<std::string> no_python = {"CHAOSRUN_PYTHON=/nonexistent/python3"};
  Json p = Py("probe", "is-42", "value", {{"kind", "int"}});
  p["tolerance"] = 42;
  Json e = Experiment(Json::array({Py("probe", "sum", "plain", {{"a", 1}})}));
  e["steady-state-hypothesis"] = {{"title", "h"}, {"probes", Json::array({p})}};
  const std::string path = tmp_.Write("experiment.json", e.dump());

  RunOutput r = Chaosrun({"validate", "--python", wrapper, path}, no_python);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Lines(started()), 1u) << started();  // validation's own bridge
  EXPECT_THAT(started(), HasSubstr("bridge.py"));

  r = Run(e, {"--python", wrapper, "--no-validation"}, no_python);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Lines(started()), 2u) << started();  // the run's one bridge
  Json j = ReadJournal();
  EXPECT_EQ(j["status"], "completed") << r.err;
  EXPECT_EQ(j["run"][0]["output"], 3);

  r = Run(e, {"--python", wrapper}, no_python);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Lines(started()), 4u) << started();  // the run's validation and the run
  EXPECT_EQ(ReadJournal()["status"], "completed");

  // Without --python the missing CHAOSRUN_PYTHON is named, by validate and by the run's
  // validation.
  r = Chaosrun({"validate", path}, no_python);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out + r.err, HasSubstr("'/nonexistent/python3' (CHAOSRUN_PYTHON)"));
  r = Run(e, {}, no_python);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("'/nonexistent/python3' (CHAOSRUN_PYTHON)"));
  EXPECT_EQ(Lines(started()), 4u);
}

TEST_F(PythonRunTest, AMalformedBridgeAnswerFailsTheActivityOrTheControlNeverTheRun) {
  // The stand-in bridge of the unit tests answers every request with $STANDIN_ANSWER.
  const std::string standin = "CHAOSRUN_BRIDGE=" + std::string(CHAOSRUN_SOURCE_DIR) +
                              "/tests/unit/providers/python_standin_bridge.py";
  Json e = Experiment(Json::array({Py("probe", "p", "value", {{"kind", "int"}})}));
  RunOutput r =
      Run(e, {"--no-validation"}, {standin, R"(STANDIN_ANSWER={"id": {id}, "ok": "yes"})"});
  EXPECT_EQ(r.status, 0) << r.err;  // a failed activity in the method is data
  Json j = ReadJournal();
  ASSERT_TRUE(j.is_object()) << r.err;
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["run"][0]["status"], "failed");
  EXPECT_THAT(j["run"][0]["exception"].back().get<std::string>(),
              HasSubstr("the python bridge sent a malformed response: `ok` is string, not a "
                        "boolean (calling pyfuncs.value)"));
  // A control module whose hooks come back as something other than names is not loaded: the
  // run stops before anything runs.
  e["controls"] =
      Json::array({{{"name", "rec"}, {"provider", {{"type", "python"}, {"module", "recorder"}}}}});
  r = Run(e, {"--no-validation"},
          {standin, R"(STANDIN_ANSWER={"id": {id}, "ok": true, "result": [1]})"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the control module 'recorder' cannot be loaded: the python bridge "
                               "listed a hook that is not a name"));
  EXPECT_EQ(ReadJournal()["status"], "aborted");
}

TEST_F(PythonRunTest, AControlThatCannotBeLoadedStopsTheRunBeforeAnythingRuns) {
  const std::string marker = (tmp_.path() / "ran").string();
  Json e = Experiment(Json::array({Py("action", "act", "mark_and_hang", {{"path", marker}})}));
  e["controls"] = Json::array(
      {{{"name", "broken"}, {"provider", {{"type", "python"}, {"module", "broken_control"}}}}});
  RunOutput r = Run(e);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("the control module 'broken_control' cannot be loaded"));
  EXPECT_THAT(r.err, HasSubstr("No module named 'does_not_exist_anywhere'"));
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_EQ(ReadJournal()["status"], "aborted");
}

TEST_F(PythonRunTest, InterruptExecutionFromAControlInterruptsTheRun) {
  const std::string marker = (tmp_.path() / "ran").string();
  Json e = Experiment(Json::array({Py("action", "first", "plain", {{"a", 1}}),
                                   Py("action", "second", "mark_and_hang", {{"path", marker}})}));
  e["controls"] = Json::array({{{"name", "stopper"},
                                {"provider",
                                 {{"type", "python"},
                                  {"module", "interrupter"},
                                  {"arguments", {{"stop_at", "second"}}}}}}});
  RunOutput r = Run(e);
  EXPECT_EQ(r.status, 1) << r.err;
  Json j = ReadJournal();
  EXPECT_EQ(j["status"], "interrupted");
  EXPECT_THAT(j["interruption"].get<std::string>(), HasSubstr("control refuses activity 'second'"));
  EXPECT_EQ(j["run"][0]["status"], "succeeded");
  EXPECT_FALSE(fs::exists(marker));  // the interrupted activity never ran
}

// The state letter of /proc/PID/stat ('?' once gone).
char StateOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = s.rfind(')');
  return paren == std::string::npos || paren + 2 >= s.size() ? '?' : s[paren + 2];
}

TEST_F(PythonRunTest, ATrippedSafeguardInterruptsTheRunAndTheDriverFaultIsUndone) {
  // A process only this test starts, stopped by the process driver; the safeguard probe notices
  // it is stopped and calls exit_gracefully(), which interrupts the run: the method's long wait
  // is cut short and the stop is undone (SIGCONT).
  const std::string unique = "300." + std::to_string(::getpid()) + "7";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl("/bin/sleep", "sleep", unique.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  struct Reap {
    pid_t pid;
    ~Reap() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reap{child};
  Json safeguard_probe = {{"name", "sleeper-runs"},
                          {"type", "probe"},
                          {"frequency", 0.05},
                          {"tolerance", true},
                          {"provider",
                           {{"type", "python"},
                            {"module", "health"},
                            {"func", "process_running"},
                            {"arguments", {{"pid", child}}}}}};
  Json e = Experiment(Json::array(
      {{{"type", "action"},
        {"name", "stop-sleeper"},
        {"provider",
         {{"type", "driver"},
          {"driver", "process"},
          {"func", "stop"},
          {"arguments", {{"cmdline", "^sleep " + unique + "$"}}}}}},
       {{"type", "probe"},
        {"name", "wait-for-ever"},
        {"provider", {{"type", "process"}, {"path", "/bin/sleep"}, {"arguments", {"600"}}}}}}));
  e["blast-radius"] = {{"allow", {"process:sleep/*"}}, {"max-targets-per-action", 1}};
  e["controls"] = Json::array(
      {{{"name", "safeguard"},
        {"provider",
         {{"type", "python"},
          {"module", "chaosaddons.controls.safeguards"},
          {"arguments", {{"probes", Json::array({safeguard_probe})}}}}}},
       {{"name", "sync"},
        {"provider", {{"type", "python"}, {"module", "chaosaddons.controls.synchronization"}}}}});
  RunOutput r = Run(e);
  EXPECT_EQ(r.status, 1) << r.err;
  Json j = ReadJournal();
  ASSERT_TRUE(j.is_object()) << r.err;
  EXPECT_EQ(j["status"], "interrupted") << r.err;
  EXPECT_THAT(j.value("interruption", ""), HasSubstr("SIGUSR1"));
  EXPECT_EQ(j["run"][0]["status"], "succeeded") << j["run"][0];
  EXPECT_FALSE(j["run"][1].contains("status"));  // cut short
  ASSERT_EQ(j["faults"].size(), 1u) << j["faults"];
  EXPECT_EQ(j["faults"][0]["undone"], true) << j["faults"][0];
  EXPECT_NE(StateOf(child), 'T');  // continued
}

TEST_F(PythonRunTest, WithoutAnyPythonValidateSaysSoOnce) {
  Json e = Experiment(
      Json::array({Py("probe", "a", "plain", {{"a", 1}}), Py("probe", "b", "plain", {{"a", 2}})}));
  const std::string path = tmp_.Write("experiment.json", e.dump());
  RunOutput r = Chaosrun({"validate", path}, {"PATH=/nonexistent"}, /*with_python=*/false);
  EXPECT_EQ(r.status, 1);
  const std::string all = r.out + r.err;
  const std::string said = "no Python interpreter: python3 is not on the PATH";
  size_t first = all.find(said);
  ASSERT_NE(first, std::string::npos) << all;
  EXPECT_EQ(all.find(said, first + 1), std::string::npos) << all;
}

TEST_F(PythonRunTest, ValidateNamesTheActivityWhoseModuleOrFunctionIsMissing) {
  Json e = Experiment(Json::array(
      {{{"type", "probe"},
        {"name", "k8s"},
        {"provider", {{"type", "python"}, {"module", "chaosk8s.pod.probes"}, {"func", "f"}}}},
       Py("probe", "missing-arg", "plain")}));
  const std::string path = tmp_.Write("experiment.json", e.dump());
  RunOutput r = Chaosrun({"validate", path});
  EXPECT_EQ(r.status, 1);
  const std::string all = r.out + r.err;
  EXPECT_THAT(all, HasSubstr("/method/0/provider/module: could not find Python module "
                             "'chaosk8s.pod.probes' in activity 'k8s'"));
  EXPECT_THAT(all, HasSubstr("/method/1/provider/arguments: required argument 'a' is missing "
                             "from activity 'plain'"));
  e["method"].erase(0);
  e["method"][0]["provider"]["arguments"] = {{"a", 1}};
  r = Chaosrun({"validate", tmp_.Write("experiment.json", e.dump())});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

}  // namespace
}  // namespace chaosrun::python_run
