// Every /v1 route, /healthz and /metrics with the right token: the Control call each makes, the
// response shape and status, and the Control's errors as HTTP errors.
#include <gtest/gtest.h>

#include "api/router.h"
#include "api_fixture.h"

namespace chaosrun::apitest {
namespace {

using ::testing::ElementsAre;

using RoutesTest = ApiTest;

TEST_F(RoutesTest, ListsExperiments) {
  RawReply r = Call("GET", "/v1/experiments");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  Json b = r.JsonBody();
  ASSERT_TRUE(b["experiments"].is_array()) << r.body;
  EXPECT_EQ(b["experiments"][0]["name"], kExperiment);
  EXPECT_THAT(control_.Calls(), ElementsAre("ListExperiments"));
}

TEST_F(RoutesTest, ListsSchedules) {
  RawReply r = Call("GET", "/v1/schedules");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.JsonBody()["schedules"][0]["name"], kSchedule);
  EXPECT_THAT(control_.Calls(), ElementsAre("ListSchedules"));
}

TEST_F(RoutesTest, PausesAndResumesASchedule) {
  RawReply r = Call("PATCH", "/v1/schedules/nightly", R"({"paused": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.JsonBody()["paused"], true);
  r = Call("PATCH", "/v1/schedules/nightly", R"({"paused": false})",
           {"Content-Type: Application/JSON; charset=utf-8"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(control_.Calls(),
              ElementsAre("SetSchedulePaused nightly true", "SetSchedulePaused nightly false"));
}

TEST_F(RoutesTest, PatchOfAnUnknownScheduleIs404) {
  ExpectError(Call("PATCH", "/v1/schedules/weekly", R"({"paused": true})"), 404,
              "no schedule named weekly");
}

TEST_F(RoutesTest, PatchNeedsABooleanPaused) {
  ExpectError(Call("PATCH", "/v1/schedules/nightly", "{}"), 400, "/paused: missing");
  ExpectError(Call("PATCH", "/v1/schedules/nightly", R"({"paused": "yes"})"), 400,
              "/paused: must be true or false");
  ExpectError(Call("PATCH", "/v1/schedules/nightly", ""), 400, "missing request body");
  ExpectError(Call("PATCH", "/v1/schedules/nightly", R"({"paused": true, "cron": "@daily"})"), 400,
              "/cron: unknown field (allowed: paused)");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RoutesTest, ListsRunsWithFiltersAndPaging) {
  RawReply r = Call("GET", "/v1/runs?schedule=nightly&outcome=failed&offset=5&limit=20");
  ASSERT_EQ(r.status, 200) << r.body;
  Json b = r.JsonBody();
  EXPECT_EQ(b["total"], 1);
  EXPECT_EQ(b["runs"][0]["id"], kEndedRun);
  EXPECT_EQ(b["offset"], 5);
  EXPECT_EQ(b["limit"], 20);
  daemon::RunFilter f = control_.last_filter();
  EXPECT_EQ(f.schedule, "nightly");
  EXPECT_EQ(f.outcome, "failed");
  EXPECT_EQ(f.offset, 5u);
  EXPECT_EQ(f.limit, 20u);
}

TEST_F(RoutesTest, RunsPageDefaultsAndCap) {
  ASSERT_EQ(Call("GET", "/v1/runs").status, 200);
  EXPECT_EQ(control_.last_filter().limit, 50u);
  EXPECT_EQ(control_.last_filter().offset, 0u);
  RawReply r = Call("GET", "/v1/runs?limit=100000");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(control_.last_filter().limit, api::kMaxRunsPage);
  EXPECT_EQ(r.JsonBody()["limit"], api::kMaxRunsPage);
}

TEST_F(RoutesTest, BadRunsQueriesAre400AndNeverReachControl) {
  ExpectError(Call("GET", "/v1/runs?limit=abc"), 400, "query parameter limit");
  ExpectError(Call("GET", "/v1/runs?limit=0"), 400, "query parameter limit");
  ExpectError(Call("GET", "/v1/runs?offset=-1"), 400, "query parameter offset");
  ExpectError(Call("GET", "/v1/runs?status=failed"), 400, "query parameter status: unknown");
  ExpectError(Call("GET", "/v1/runs?schedule=..%2Fx"), 400, "query parameter schedule");
  ExpectError(Call("GET", "/v1/runs?limit=1&limit=2"), 400, "given twice");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RoutesTest, GetsARun) {
  RawReply r = Call("GET", "/v1/runs/run-1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.JsonBody()["id"], kEndedRun);
  ExpectError(Call("GET", "/v1/runs/run-9"), 404, "no run run-9");
  EXPECT_THAT(control_.Calls(), ElementsAre("GetRun run-1", "GetRun run-9"));
}

TEST_F(RoutesTest, StartsARunWithVars) {
  RawReply r = Call("POST", "/v1/runs",
                    R"({"experiment": "latency-drill", "vars": {"port": 8080, "host": "a"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.JsonBody()["id"], kRunningRun);
  EXPECT_EQ(r.Header("location"), "/v1/runs/run-2");
  EXPECT_THAT(control_.Calls(), ElementsAre(R"(StartRun latency-drill {"port":8080,"host":"a"})"));
}

TEST_F(RoutesTest, StartRunErrorsFromControl) {
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "busy-drill"})"), 503, "queue is full");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "other"})"), 404, "no experiment other");
}

TEST_F(RoutesTest, StartRunBodyIsChecked) {
  ExpectError(Call("POST", "/v1/runs", "{}"), 400, "/experiment: missing");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": 3})"), 400, "/experiment: must be");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "latency-drill", "cmd": "rm"})"), 400,
              "/cmd: unknown field (allowed: experiment, vars)");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "latency-drill", "vars": [1]})"), 400,
              "/vars: must be an object");
  ExpectError(Call("POST", "/v1/runs", R"({"experiment": "latency-drill", "vars": {"a b": 1}})"),
              400, "/vars/a b: a key is");
  ExpectError(Call("POST", "/v1/runs", R"([1, 2])"), 400, "must be a JSON object");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RoutesTest, AbortsARun) {
  RawReply r = Call("POST", "/v1/runs/run-2/abort");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.JsonBody()["status"], "aborting");
  ASSERT_EQ(Call("POST", "/v1/runs/run-2/abort", "{}").status, 200);
  ExpectError(Call("POST", "/v1/runs/run-1/abort"), 409, "has ended");
  ExpectError(Call("POST", "/v1/runs/run-9/abort"), 404, "no run run-9");
  ExpectError(Call("POST", "/v1/runs/run-2/abort", R"({"force": true})"), 400, "/force: unknown");
  EXPECT_THAT(control_.Calls(),
              ElementsAre("AbortRun run-2", "AbortRun run-2", "AbortRun run-1", "AbortRun run-9"));
}

TEST_F(RoutesTest, HaltSetReadAndClear) {
  RawReply r = Call("POST", "/v1/halt", R"({"reason": "incident 42"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.JsonBody(), (Json{{"halted", true}, {"reason", "incident 42"}}));
  EXPECT_EQ(Call("GET", "/v1/halt").JsonBody()["halted"], true);
  ASSERT_EQ(Call("POST", "/v1/halt").status, 200);
  r = Call("DELETE", "/v1/halt");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.JsonBody()["halted"], false);
  ExpectError(Call("POST", "/v1/halt", R"({"reason": 1})"), 400, "/reason: must be a string");
  ExpectError(Call("POST", "/v1/halt", Json{{"reason", std::string(2000, 'x')}}.dump()), 400,
              "/reason: longer than");
  EXPECT_THAT(control_.Calls(),
              ElementsAre("SetHalt true incident 42", "Halted", "SetHalt true ", "SetHalt false "));
}

TEST_F(RoutesTest, HealthAndMetricsNeedNoToken) {
  RawReply r = CallWithHeaders("GET", "/healthz", "", {});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.JsonBody()["status"], "ok");
  r = CallWithHeaders("GET", "/metrics", "", {});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4");
  EXPECT_NE(r.body.find("chaosrun_runs_total{outcome=\"completed\"} 3"), std::string::npos);
  control_.set_stopping(true);
  EXPECT_EQ(CallWithHeaders("GET", "/healthz", "", {}).status, 503);
  EXPECT_THAT(control_.Calls(), ElementsAre("Health", "Metrics", "Health"));
}

TEST_F(RoutesTest, UnknownRoutesAre404) {
  ExpectError(Call("GET", "/v1/nothing"), 404, "no such route: /v1/nothing");
  ExpectError(Call("GET", "/"), 404);
  ExpectError(Call("GET", "/v2/runs"), 404);
  ExpectError(Call("GET", "/v1/runs/run-1/journal"), 404);
  ExpectError(Call("GET", "/toxiproxyx"), 404);
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RoutesTest, WrongMethodsAre405WithAllow) {
  struct Case {
    const char* method;
    const char* target;
    const char* allow;
  };
  for (const Case& c :
       {Case{"DELETE", "/v1/runs", "GET, POST"}, Case{"PUT", "/v1/experiments", "GET"},
        Case{"POST", "/v1/schedules", "GET"}, Case{"GET", "/v1/schedules/nightly", "PATCH"},
        Case{"PATCH", "/v1/runs/run-1", "GET"}, Case{"GET", "/v1/runs/run-1/abort", "POST"},
        Case{"PUT", "/v1/halt", "GET, POST, DELETE"}, Case{"POST", "/healthz", "GET"},
        Case{"DELETE", "/metrics", "GET"}, Case{"OPTIONS", "/v1/runs", "GET, POST"},
        Case{"TRACE", "/v1/runs", "GET, POST"}}) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    RawReply r = Call(c.method, c.target);
    ExpectError(r, 405, "not allowed");
    EXPECT_EQ(r.Header("allow"), c.allow);
  }
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RoutesTest, GetRoutesTakeNoBody) {
  ExpectError(Call("GET", "/v1/experiments", R"({"x": 1})"), 400, "takes no request body");
  ExpectError(Call("DELETE", "/v1/halt", R"({"x": 1})"), 400, "takes no request body");
  EXPECT_TRUE(control_.Calls().empty());
}

TEST_F(RoutesTest, ResponsesAreNotCached) {
  EXPECT_EQ(Call("GET", "/v1/runs").Header("cache-control"), "no-store");
}

}  // namespace
}  // namespace chaosrun::apitest
