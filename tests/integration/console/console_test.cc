// What `chaosrun run` shows on its console (docs/console.md), read from the real binary's
// stderr: activities when they start and when they end, pauses, the dry-run banner, one line per
// driver fault (no raw JSON, no fault id), one line per continuous-hypothesis check with its
// warning once, --verbose's commands/requests/driver calls with every secret redacted, the
// end-of-run summary, and no ERROR or WARNING line in a healthy run. Phases are reached by files
// the activities write and wait for (bounded), never by timing.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "console_harness.h"
#include "support/http_server.h"

namespace chaosrun::consoletest {
namespace {

using chaosrun::testing::HttpServer;
using chaosrun::testing::TestRequest;
using chaosrun::testing::TestResponse;

// The position of `needle` in `text` (npos fails the test).
size_t At(const std::string& text, const std::string& needle) {
  size_t p = text.find(needle);
  EXPECT_NE(p, std::string::npos) << "no '" << needle << "' in:\n" << text;
  return p;
}

Json Simple(const Json& method, const Json& probes = Json::array()) {
  Json e = {{"title", "console"}, {"description", "console test"}, {"method", method}};
  if (!probes.empty()) e["steady-state-hypothesis"] = {{"title", "ok"}, {"probes", probes}};
  return e;
}

Json Tolerant(Json probe) {
  probe["tolerance"] = 0;
  return probe;
}

TEST_F(ConsoleTest, EachActivityIsShownWhenItStartsAndWhenItEnds) {
  Json a = Shell("action", "first-action", "true");
  a["pauses"] = {{"before", 0.01}, {"after", 0.02}};
  const std::string path =
      Write("e.json", Simple(Json::array({a, Shell("probe", "a-probe", "true")}),
                             Json::array({Tolerant(Shell("probe", "ssh", "true"))})));
  Ran r = Run({path});
  ASSERT_EQ(r.code, 0) << r.err;
  size_t pause_before = At(r.err, "INFO]   Pause 10 ms before first-action\n");
  size_t start = At(r.err, "INFO]   Action: first-action ...\n");
  size_t pause_after = At(r.err, "INFO]   Pause 20 ms after first-action\n");
  size_t end = At(r.err, "INFO]   Action: first-action ... succeeded (status 0) [");
  EXPECT_LT(pause_before, start);
  EXPECT_LT(start, pause_after);
  EXPECT_LT(pause_after, end);
  EXPECT_LT(At(r.err, "INFO]   Probe: a-probe ...\n"),
            At(r.err, "INFO]   Probe: a-probe ... succeeded (status 0) ["));
  EXPECT_EQ(LinesWith(r.err, "Probe: ssh ... succeeded (status 0), tolerance met").size(), 2u)
      << r.err;
  EXPECT_TRUE(LinesWith(r.err, "ERROR]").empty()) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "WARNING]").empty()) << r.err;
}

TEST_F(ConsoleTest, ADryRunHasABannerAndMarksWhatItSkips) {
  const std::string marker = Path("ran");
  const std::string path =
      Write("e.json", Simple(Json::array({Shell("action", "would-act", "touch '" + marker + "'"),
                                          Shell("probe", "still-probes", "true")})));
  Ran r = Run({"--dry", "actions", path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(::access(marker.c_str(), F_OK), -1) << "a dry action ran";
  EXPECT_LT(At(r.err, "INFO] DRY RUN (actions): nothing will be injected"),
            At(r.err, "Playing the experiment's method now"));
  At(r.err, "INFO]   Action: would-act ... skipped (dry run)\n");
  At(r.err, "INFO]   Probe: still-probes ... succeeded (status 0)");
  Ran all = Run({"--dry", "activities", path});
  ASSERT_EQ(all.code, 0) << all.err;
  At(all.err, "DRY RUN (activities): no activity runs, nothing is injected");
  At(all.err, "Probe: still-probes ... skipped (dry run)");
}

class FaultConsoleTest : public ConsoleTest {
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
  Json Stop(double duration) const {
    return {{"type", "action"},
            {"name", "freeze-sleep"},
            {"provider",
             {{"type", "driver"},
              {"driver", "process"},
              {"func", "stop"},
              {"duration", duration},
              {"arguments", {{"pids", {target_}}}}}}};
  }
  pid_t target_ = -1;
};

TEST_F(FaultConsoleTest, AFaultIsOneReadableLineAndTheSummarySaysItWasUndone) {
  const std::string pid = std::to_string(target_);
  const std::string path = Write(
      "e.json",
      Simple(Json::array({Stop(125)}), Json::array({Tolerant(Shell("probe", "healthy", "true"))})));
  Ran r = Run({path});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string fault =
      "process.stop on sleep (pid " + pid + "), 2 min 5 s; undo: SIGCONT pid " + pid;
  auto lines = LinesWith(r.err, "Action: freeze-sleep ... ");
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find("INFO]   Action: freeze-sleep ... fault injected: " + fault + " ["),
            std::string::npos)
      << lines[0];
  // No raw driver JSON and no opaque fault id anywhere on the default console.
  const Json journal = Journal();
  ASSERT_TRUE(journal.contains("faults")) << journal.dump();
  const std::string id = journal["faults"][0]["id"].get<std::string>();
  EXPECT_EQ(r.err.find(id), std::string::npos) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "{\"").empty()) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "000000 s").empty()) << r.err;

  // The summary, once every fault is undone: injected, observed, undone, status; the journal's
  // path is the last line.
  size_t summary = At(r.err, "INFO] Summary\n");
  EXPECT_LT(At(r.err, "INFO]   undone: process.stop"), summary);
  const std::string tail = r.err.substr(summary);
  At(tail, "INFO]   injected: " + fault + "\n");
  At(tail, "INFO]   observed: steady state before: met; after: met; not deviated\n");
  At(tail, "INFO]   undone:   process.stop on sleep (pid " + pid + "): SIGCONT pid " + pid +
               " (end of run)\n");
  At(tail, "INFO]   status:   completed (exit code 0)\n");
  EXPECT_LT(At(tail, "INFO]   status:"), At(tail, "INFO] Journal written to " + JournalPath()));
  EXPECT_NE(LinesWith(tail, "] ").back().find("INFO] Journal written to"), std::string::npos)
      << tail;
  EXPECT_LE(LinesWith(tail, "] ").size(), 20u) << tail;
  EXPECT_TRUE(LinesWith(r.err, "ERROR]").empty()) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "WARNING]").empty()) << r.err;
}

TEST_F(FaultConsoleTest, ARefusalEndsTheActivityLineAndOneErrorLineSaysWhy) {
  Json e = Simple(Json::array({Stop(10)}));
  e["blast-radius"] = {{"deny", {"process:sleep/*"}}};
  const std::string path = Write("e.json", e);
  Ran r = Run({path});
  EXPECT_EQ(r.code, 1) << r.err;
  auto line = LinesWith(r.err, "Action: freeze-sleep ... ");
  ASSERT_EQ(line.size(), 1u) << r.err;
  EXPECT_NE(
      line[0].find("INFO]   Action: freeze-sleep ... REFUSED (guard: deny), nothing injected"),
      std::string::npos)
      << line[0];
  auto errors = LinesWith(r.err, "ERROR]");
  ASSERT_GE(errors.size(), 1u) << r.err;
  EXPECT_NE(errors[0].find("activity 'freeze-sleep': the fault was not injected ("),
            std::string::npos)
      << errors[0];
  At(r.err, "INFO]   injected: no driver fault");
  At(r.err, "ERROR]   refused:  freeze-sleep: ");
}

TEST_F(ConsoleTest, AFailedProbeOfTheMethodIsDataNotAnError) {
  // The demo's shape: a probe the experiment expects to fail (a frozen server times out).
  HttpServer closed;
  const std::string url = closed.Url("/health");
  closed.Stop();
  Json probe = {{"type", "probe"},
                {"name", "expected-to-fail"},
                {"provider", {{"type", "http"}, {"url", url}, {"timeout", 1}}}};
  const std::string path = Write("e.json", Simple(Json::array({probe})));
  Ran r = Run({path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(LinesWith(r.err, "INFO]   Probe: expected-to-fail ... failed: ").size(), 1u) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "ERROR]").empty()) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "WARNING]").empty()) << r.err;
}

TEST_F(ConsoleTest, EachContinuousCheckIsOneLineAndTheDeviationIsWarnedOnce) {
  // Each check's probes append a line to `count`; the second fails once `deviate` exists. The
  // method waits (bounded) until two checks passed, creates `deviate`, then waits for three more
  // checks' worth of lines: at least two whole checks are NOT met.
  const std::string count = Path("count");
  const std::string deviate = Path("deviate");
  Json p1 = Tolerant(Shell("probe", "first", "echo x >> '" + count + "'"));
  Json p2 =
      Tolerant(Shell("probe", "second", "echo x >> '" + count + "'; test ! -f '" + deviate + "'"));
  const std::string wait_for = "n=0; until [ \"$(wc -l < '" + count +
                               "')\" -ge \"$1\" ]; do n=$((n+1)); "
                               "[ $n -gt 6000 ] && exit 1; sleep 0.005; done";
  const std::string script = "w() { " + wait_for + "; }; w 6 && l=$(wc -l < '" + count +
                             "') && touch '" + deviate + "' && w $((l + 6))";
  Json method = Shell("action", "wait-for-checks", script);
  const std::string path = Write("e.json", Simple(Json::array({method}), Json::array({p1, p2})));
  Ran r = Run({"--hypothesis-strategy", "during-method-only", "--hypothesis-frequency", "0", path});
  const Json journal = Journal();
  ASSERT_TRUE(journal.is_object()) << r.err;
  EXPECT_EQ(journal["run"][0]["output"]["status"], 0) << r.err;
  const size_t checks = journal["steady_states"]["during"].size();
  ASSERT_GE(checks, 4u) << r.err;
  auto check_lines = LinesWith(r.err, "Steady state check ");
  ASSERT_EQ(check_lines.size(), checks) << r.err;
  size_t not_met = 0;
  const std::regex met(R"(INFO\] Steady state check (\d+): met \(2 probes\)$)");
  const std::regex missed(
      R"(INFO\] Steady state check (\d+): NOT met \(second: .*tolerance NOT met.*)");
  for (size_t i = 0; i < check_lines.size(); ++i) {
    std::smatch m;
    bool ok = std::regex_search(check_lines[i], m, met) ||
              (std::regex_search(check_lines[i], m, missed) && ++not_met > 0);
    ASSERT_TRUE(ok) << check_lines[i];
    EXPECT_EQ(m[1].str(), std::to_string(i + 1)) << check_lines[i];
  }
  EXPECT_GE(not_met, 2u) << r.err;
  EXPECT_EQ(LinesWith(r.err, "WARNING]").size(), 1u) << r.err;
  EXPECT_EQ(
      LinesWith(r.err, "WARNING] Steady state deviated during the method (first at check").size(),
      1u)
      << r.err;
  // The checks' probes have no lines of their own.
  EXPECT_TRUE(LinesWith(r.err, "Probe: first").empty()) << r.err;
}

TEST_F(ConsoleTest, VerboseShowsCommandsRequestsAndDriverCallsWithSecretsRedacted) {
  const std::string secret = "s3cr3t-console-tok";
  HttpServer server;
  server.Handle("GET", "/t/" + secret, [](const TestRequest&) {
    TestResponse res;
    res.body = "ok";
    return res;
  });
  Json act = {{"type", "action"},
              {"name", "uses-secret"},
              {"provider",
               {{"type", "process"},
                {"path", "sh"},
                {"arguments", {"-c", "true", "sh", "--token=${token}"}}}}};
  Json req = {{"type", "probe"},
              {"name", "calls-api"},
              {"provider",
               {{"type", "http"},
                {"url", server.Url("/t/${token}") + "?key=${token}"},
                {"headers", {{"Authorization", "Bearer ${token}"}}},
                {"timeout", 5}}}};
  Json drv = {{"type", "probe"},
              {"name", "driver-probe"},
              {"provider",
               {{"type", "driver"},
                {"driver", "process"},
                {"func", "running"},
                {"arguments", {{"name", "${token}"}}}}}};
  Json e = Simple(Json::array({act, req, drv}));
  e["secrets"] = {{"api", {{"token", secret}}}};
  const std::string path = Write("e.json", e);
  Ran r = Run({"--verbose", path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
  At(r.err, "DEBUG]   command: sh -c true sh --token=***\n");
  const std::string shown = "GET http://127.0.0.1:" + std::to_string(server.port()) + "/t/***?…";
  At(r.err, "DEBUG]   request: " + shown + " (timeout 5 s)\n");
  At(r.err, "DEBUG]   response: 200 from " + shown + " in ");
  At(r.err, "DEBUG] driver call: process.running {\"name\":\"***\"}");
  EXPECT_EQ(server.request_count(), 1);
}

TEST_F(ConsoleTest, WithoutVerboseNoneOfThoseLines) {
  const std::string path = Write("e.json", Simple(Json::array({Shell("action", "a", "true")})));
  Ran r = Run({path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "command:").empty()) << r.err;
  EXPECT_TRUE(LinesWith(r.err, "DEBUG]").empty()) << r.err;
}

}  // namespace
}  // namespace chaosrun::consoletest
