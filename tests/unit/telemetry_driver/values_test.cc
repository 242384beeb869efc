// prometheus_query's and alert_firing's reading of the answers, with answers shaped as
// Prometheus 2.42 and Alertmanager 0.25 give them.
#include <gtest/gtest.h>

#include "telemetry/alerts.h"
#include "telemetry/args.h"
#include "telemetry/prometheus.h"

namespace chaosrun::drivers::telemetry {
namespace {

json Parse(const char* s) { return json::parse(s); }

TEST(PrometheusValue, ScalarsAndOneElementVectorsAreNumbers) {
  json v;
  EXPECT_EQ(PrometheusValue(Parse(R"({"status":"success","data":{"resultType":"scalar",
                                     "result":[1733538199.5,"2.5"]}})"),
                            &v),
            "");
  EXPECT_EQ(v, 2.5);
  EXPECT_EQ(PrometheusValue(Parse(R"({"status":"success","data":{"resultType":"vector",
            "result":[{"metric":{"__name__":"up","job":"lab-exporter"},
                       "value":[1733538199.5,"1"]}]}})"),
                            &v),
            "");
  EXPECT_EQ(v, 1.0);
}

TEST(PrometheusValue, OtherVectorsAreListsAndSpecialValuesStayText) {
  json v;
  ASSERT_EQ(PrometheusValue(Parse(R"({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"i":"a"},"value":[1,"NaN"]},{"metric":{"i":"b"},"value":[1,"3"]}]}})"),
                            &v),
            "");
  ASSERT_TRUE(v.is_array());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0]["metric"]["i"], "a");
  EXPECT_EQ(v[0]["value"], "NaN");
  EXPECT_EQ(v[1]["value"], 3.0);
  ASSERT_EQ(PrometheusValue(
                Parse(R"({"status":"success","data":{"resultType":"vector","result":[]}})"), &v),
            "");
  EXPECT_EQ(v, json::array());
  ASSERT_EQ(PrometheusValue(Parse(R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1,"1"],[2,"+Inf"]]}]}})"),
                            &v),
            "");
  EXPECT_EQ(v[0]["values"][1][1], "+Inf");
}

TEST(PrometheusValue, ABadQuerySaysWhatPrometheusSaid) {
  json v;
  EXPECT_EQ(PrometheusValue(Parse(R"({"status":"error","errorType":"bad_data",
            "error":"invalid parameter \"query\": 1:4: parse error: unexpected <op:==>"})"),
                            &v),
            "bad_data: invalid parameter \"query\": 1:4: parse error: unexpected <op:==>");
  EXPECT_EQ(PrometheusValue(json("x"), &v), "the answer is not a JSON object");
  EXPECT_EQ(PrometheusValue(Parse(R"({"status":"success","data":{"resultType":"tree"}})"), &v),
            "the answer has no data.resultType and data.result");
}

TEST(PromCondition, ChecksAndHolds) {
  EXPECT_EQ(CheckPromCondition(Parse(R"({"op": ">=", "value": 1})")), "");
  EXPECT_EQ(CheckPromCondition(Parse(R"({"absent": true})")), "");
  EXPECT_EQ(CheckPromCondition(Parse(R"({"op": "=~", "value": 1})")),
            "op must be one of >, >=, <, <=, ==, !=");
  EXPECT_EQ(CheckPromCondition(Parse(R"({"op": "<", "value": "1"})")), "value must be a number");
  EXPECT_EQ(CheckPromCondition(Parse(R"({"absent": true, "op": "<"})")),
            "absent cannot go with op and value");
  EXPECT_EQ(CheckPromCondition(Parse(R"({"thresh": 1})")), "unknown argument 'thresh'");
  EXPECT_TRUE(PromConditionHolds(Parse(R"({"op": "==", "value": 0})"), json(0.0)));
  EXPECT_FALSE(PromConditionHolds(Parse(R"({"op": ">", "value": 0})"), json(0.0)));
  json vec = Parse(R"([{"metric":{},"value":0},{"metric":{},"value":5}])");
  EXPECT_TRUE(PromConditionHolds(Parse(R"({"op": ">", "value": 4})"), vec));  // any element
  EXPECT_FALSE(PromConditionHolds(Parse(R"({"op": ">", "value": 5})"), vec));
  EXPECT_TRUE(PromConditionHolds(Parse(R"({"absent": true})"), json::array()));
  EXPECT_FALSE(PromConditionHolds(Parse(R"({"absent": true})"), json(1.0)));
  EXPECT_FALSE(PromConditionHolds(Parse(R"({"op": ">", "value": 0})"), json("NaN")));
}

constexpr const char* kAlerts = R"([
  {"annotations": {"summary": "s"}, "endsAt": "2026-12-07T02:27:19.096Z",
   "fingerprint": "f1", "receivers": [{"name": "sink"}], "startsAt": "2026-12-07T02:23:19.096Z",
   "status": {"inhibitedBy": [], "silencedBy": [], "state": "active"},
   "updatedAt": "2026-12-07T02:23:19.096Z", "generatorURL": "http://x",
   "labels": {"alertname": "TelemetryLost", "job": "lab-exporter", "severity": "page"}},
  {"endsAt": "2026-12-07T02:27:00Z", "startsAt": "2026-12-07T02:20:00Z",
   "status": {"inhibitedBy": [], "silencedBy": ["s1"], "state": "suppressed"},
   "labels": {"alertname": "TelemetryLost", "job": "other"}},
  {"endsAt": "2026-12-07T02:22:00Z", "startsAt": "2026-12-07T02:21:00Z",
   "status": {"state": "active"}, "labels": {"alertname": "TelemetryLost", "job": "old"}},
  {"endsAt": "2026-12-07T02:27:00Z", "startsAt": "2026-12-07T02:23:00Z",
   "status": {"state": "active"}, "labels": {"alertname": "TLSCertificateInvalid"}}
])";

TEST(SummariseAlerts, CountsActiveUnresolvedMatches) {
  const int64_t now = *UnixMsFromIso("2026-12-07T02:24:00Z");
  json out;
  ASSERT_EQ(SummariseAlerts(json::parse(kAlerts), {{"alertname", "TelemetryLost"}}, now, &out), "");
  EXPECT_EQ(out["firing"], true);
  EXPECT_EQ(out["count"], 1);  // not the silenced one, not the one that ended at 02:22
  EXPECT_EQ(out["since"], "2026-12-07T02:23:19.096Z");
  EXPECT_EQ(out["alerts"][0]["labels"]["job"], "lab-exporter");
  ASSERT_EQ(SummariseAlerts(json::parse(kAlerts), {{"alertname", "Nope"}}, now, &out), "");
  EXPECT_EQ(out["firing"], false);
  EXPECT_EQ(out["count"], 0);
  EXPECT_TRUE(out["since"].is_null());
  ASSERT_EQ(SummariseAlerts(json::parse(kAlerts), {{"severity", "page"}}, now, &out), "");
  EXPECT_EQ(out["count"], 1);
  EXPECT_EQ(SummariseAlerts(json::object(), json::object(), now, &out),
            "the answer is not a list of alerts");
}

TEST(IsoTimes, RoundTripAndRejects) {
  EXPECT_EQ(IsoFromUnixMs(0), "1970-01-01T00:00:00.000000+00:00");
  auto t = UnixMsFromIso("2026-12-07T02:23:19.096Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(IsoFromUnixMs(*t), "2026-12-07T02:23:19.096000+00:00");
  EXPECT_EQ(UnixMsFromIso("2026-12-07T02:23:19.096000+00:00"), t);
  EXPECT_EQ(UnixMsFromIso("2026-12-07T02:23:19+00:00"), *t - 96);
  EXPECT_FALSE(UnixMsFromIso("2026-12-07 02:23:19"));
  EXPECT_FALSE(UnixMsFromIso("2026-12-07T02:23:19+02:00"));
  EXPECT_FALSE(UnixMsFromIso("noon"));
}

}  // namespace
}  // namespace chaosrun::drivers::telemetry
