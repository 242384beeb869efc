// Dry modes and mislabelled driver activities never inject a fault: the real chaosrun binary runs
// the process driver's `stop` (SIGSTOP) against a `sleep` this test started, named by a
// probe-typed and by an action-typed activity. The proof that nothing was signalled is waitpid
// (WUNTRACED | WCONTINUED): a stop, even one undone at the end of the run, leaves a state change
// for the parent to collect. The /proc/PID/stat state is checked too.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

#include "cli_fixture.h"

namespace chaosrun::clitest {
namespace {

class DryDriverTest : public CliTest {
 protected:
  void SetUp() override {
    target_ = ::fork();
    ASSERT_GE(target_, 0);
    if (target_ == 0) {
      ::execlp("sleep", "sleep", "600", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  void TearDown() override {
    if (target_ > 0) {
      ::kill(target_, SIGCONT);
      ::kill(target_, SIGKILL);
      ::waitpid(target_, nullptr, 0);
    }
  }

  // The state letter of /proc/PID/stat ('?' if unreadable): S or R while it sleeps, T stopped.
  char TargetState() const {
    std::ifstream in("/proc/" + std::to_string(target_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = text.rfind(')');
    return paren == std::string::npos || paren + 2 >= text.size() ? '?' : text[paren + 2];
  }
  // True if the target was stopped or continued since it started (or since the last call).
  bool TargetWasSignalled() const {
    int status = 0;
    pid_t r = ::waitpid(target_, &status, WUNTRACED | WCONTINUED | WNOHANG);
    return r == target_;
  }

  Json Stop(const std::string& type, const std::string& name) const {
    return {{"type", type},
            {"name", name},
            {"provider",
             {{"type", "driver"},
              {"driver", "process"},
              {"func", "stop"},
              {"arguments", {{"pids", {target_}}}}}}};
  }
  Json Running(const std::string& type, const std::string& name) const {
    return {{"type", type},
            {"name", name},
            {"provider",
             {{"type", "driver"},
              {"driver", "process"},
              {"func", "running"},
              {"arguments", {{"pids", {target_}}}}}}};
  }

  pid_t target_ = -1;
};

TEST_F(DryDriverTest, DryActionsAndActivitiesNeverStopTheTargetWhateverTheLabel) {
  Json stop_in_probe = Stop("probe", "stop-labelled-probe");
  Json stop_in_action = Stop("action", "stop-labelled-action");
  // An activity's own dry mode never takes from the run's.
  stop_in_action["dry"] = "probes";
  const std::string path =
      Write("dry.json", DumpPretty(Experiment(Json::array(
                            {stop_in_probe, stop_in_action, Running("probe", "still-running")}))));
  for (const char* mode : {"actions", "activities"}) {
    SCOPED_TRACE(mode);
    Outcome o = Run({"--no-validation", "--dry", mode, path});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_FALSE(TargetWasSignalled());
    EXPECT_NE(TargetState(), 'T');
    const Json j = Journal();
    ASSERT_EQ(j["run"].size(), 3u) << DumpPretty(j);
    EXPECT_EQ(j["run"][0]["output"], nullptr);
    EXPECT_EQ(j["run"][1]["output"], nullptr);
    for (const Json& f : j.value("faults", Json::array())) {
      EXPECT_FALSE(f.value("applied", false)) << DumpPretty(f);
    }
  }
  // The driver probe is a probe: --dry actions runs it.
  Outcome o = Run({"--no-validation", "--dry", "actions", path});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(Journal()["run"][2]["status"], "succeeded") << DumpPretty(Journal()["run"][2]);
  EXPECT_NE(Journal()["run"][2]["output"], nullptr);
}

TEST_F(DryDriverTest, TheSameActionNotDryStopsTheTarget) {
  // The control: the checks above would see a stop (undone at the end of the run, so the target
  // runs again afterwards).
  const std::string path =
      Write("real.json", DumpPretty(Experiment(Json::array({Stop("action", "stop-it")}))));
  Outcome o = Run({path});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(TargetWasSignalled());
  EXPECT_NE(TargetState(), 'T');
}

TEST_F(DryDriverTest, WithoutValidationAProbeNamingAnActionIsRefusedAndInjectsNothing) {
  const std::string path =
      Write("probe.json", DumpPretty(Experiment(Json::array({Stop("probe", "sneaky")}))));
  Outcome o = Run({"--no-validation", path});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_FALSE(TargetWasSignalled());
  EXPECT_NE(TargetState(), 'T');
  const Json j = Journal();
  ASSERT_GE(j["run"].size(), 1u) << DumpPretty(j);
  EXPECT_EQ(j["run"][0]["status"], "failed");
  EXPECT_EQ(j["run"][0]["refusal"]["phase"], "activity-type") << DumpPretty(j["run"][0]);
}

TEST_F(DryDriverTest, WithoutValidationAnActionNamingAProbeFails) {
  const std::string path =
      Write("action.json", DumpPretty(Experiment(Json::array({Running("action", "mislabelled")}))));
  Outcome o = Run({"--no-validation", path});
  const Json j = Journal();
  ASSERT_GE(j["run"].size(), 1u) << DumpPretty(j);
  EXPECT_EQ(j["run"][0]["status"], "failed");
  EXPECT_NE(DumpCompact(j["run"][0]["exception"])
                .find("'running' is a probe of driver 'process'; this activity is an action"),
            std::string::npos)
      << DumpPretty(j["run"][0]);
}

TEST_F(DryDriverTest, ValidateNamesBothKindsAndTheActivityType) {
  const std::string path =
      Write("kinds.json",
            DumpPretty(Experiment(Json::array({Stop("probe", "a"), Running("action", "b")}))));
  Outcome o = Raw({"validate", path});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.out.find("/method/0/provider/func: 'stop' is an action of driver 'process'; this "
                       "activity is a probe"),
            std::string::npos)
      << o.out << o.err;
  EXPECT_NE(o.out.find("/method/1/provider/func: 'running' is a probe of driver 'process'; this "
                       "activity is an action"),
            std::string::npos)
      << o.out << o.err;
  // Refused before anything runs.
  Outcome r = Run({path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(TargetWasSignalled());
}

TEST_F(DryDriverTest, AMisspeltDurationIsAnError) {
  Json stop = Stop("action", "stop-it");
  stop["provider"]["duraton"] = 30;
  const std::string path = Write("duraton.json", DumpPretty(Experiment(Json::array({stop}))));
  Outcome o = Raw({"validate", path});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.out.find("/method/0/provider/duraton: unknown key 'duraton' in a driver provider"),
            std::string::npos)
      << o.out << o.err;
  EXPECT_NE(o.out.find("did you mean 'duration'?"), std::string::npos) << o.out;
  Outcome r = Run({path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(TargetWasSignalled());
}

TEST_F(DryDriverTest, ValidateStrictMakesLikelyTyposErrors) {
  Json doc = Experiment(Json::array(), Json::array({Running("probe", "up")}));
  doc["steady-state-hypothesis"]["probes"][0]["tolerance"] = true;
  doc["steady-state-hypotesis"] = doc["steady-state-hypothesis"];
  doc.erase("steady-state-hypothesis");
  doc["x-team"] = "payments";  // far from any known key: kept silently
  const std::string path = Write("typo.json", DumpPretty(doc));

  Outcome lax = Raw({"validate", path});
  EXPECT_EQ(lax.exit_code, 0) << lax.out << lax.err;
  EXPECT_NE(lax.err.find("/steady-state-hypotesis: warning: unknown key; did you mean "
                         "'steady-state-hypothesis'?"),
            std::string::npos)
      << lax.err;

  Outcome strict = Raw({"validate", "--strict", path});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.out.find(
                "/steady-state-hypotesis: unknown key; did you mean 'steady-state-hypothesis'?"),
            std::string::npos)
      << strict.out << strict.err;
  EXPECT_EQ(strict.out.find("x-team"), std::string::npos) << strict.out;

  Outcome json = Raw({"validate", "--strict", "--json", path});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.out.find("\"severity\": \"error\""), std::string::npos) << json.out;

  Outcome on_run = Raw({"run", "--strict", path});
  EXPECT_EQ(on_run.exit_code, 2) << "--strict is a validate option";
}

}  // namespace
}  // namespace chaosrun::clitest
