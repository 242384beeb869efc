// The notification sink over real loopback sockets: start_notification_sink opens it, payloads
// POSTed with the drivers' HTTP client are recorded, notification_received finds them (also in
// its wait_until form), the undo closes it. Waits run on an injected clock.
#include "telemetry/sink.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "network/http_client.h"
#include "telemetry/actions.h"

namespace chaosrun::drivers::telemetry {
namespace {

using nlohmann::json;

constexpr const char* kPayload = R"({"version": "4", "status": "firing", "receiver": "sink",
  "groupKey": "{}:{alertname=\"TelemetryLost\"}", "alerts": [{"status": "firing",
  "labels": {"alertname": "TelemetryLost", "job": "lab-exporter"}, "annotations": {},
  "startsAt": "2026-12-07T02:23:19.096Z", "endsAt": "0001-01-01T00:00:00Z"}]})";

// A clock that moves 100 ms at every look, so waits end without real time passing.
Env FakeTimeEnv(std::atomic<uint64_t>* now) {
  Env env;
  env.monotonic_ns = [now] { return now->fetch_add(100'000'000) + 100'000'000; };
  return env;
}

int OpenSinkOnAnyPort(const std::string& name) {
  sdk::Reply plan = Prepare("start_notification_sink", {{"name", name}}, Env{});
  EXPECT_EQ(plan.status, CHAOSRUN_OK) << plan.value.dump();
  EXPECT_EQ(plan.value["undo"], json({{"name", name}}));
  sdk::Reply applied = Apply("start_notification_sink", plan.value, Env{});
  EXPECT_EQ(applied.status, CHAOSRUN_OK) << applied.value.dump();
  return applied.value.value("port", 0);
}

network::HttpResponse Post(int port, const std::string& body) {
  network::Url url;
  url.host = "127.0.0.1";
  url.port = port;
  return network::HttpRequest(url, "POST", "/alerts", body, network::HttpOptions{});
}

TEST(NotificationSink, RecordsPostsAndTheProbeFindsThem) {
  const int port = OpenSinkOnAnyPort("t-record");
  ASSERT_GT(port, 0);
  json args{{"sink", "t-record"}, {"alertname", "TelemetryLost"}};
  sdk::Reply none = Probe("notification_received", args, Env{});
  ASSERT_EQ(none.status, CHAOSRUN_OK) << none.value.dump();
  EXPECT_EQ(none.value["received"], false);

  network::HttpResponse bad = Post(port, R"({"version": "4"})");
  ASSERT_TRUE(bad.ok) << bad.error;
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("/status: missing"), std::string::npos) << bad.body;
  network::HttpResponse ok = Post(port, kPayload);
  ASSERT_TRUE(ok.ok) << ok.error;
  EXPECT_EQ(ok.status, 200);

  sdk::Reply got = Probe("notification_received", args, Env{});
  ASSERT_EQ(got.status, CHAOSRUN_OK) << got.value.dump();
  EXPECT_EQ(got.value["received"], true);
  EXPECT_EQ(got.value["count"], 1);
  EXPECT_EQ(got.value["first"]["labels"]["job"], "lab-exporter");
  EXPECT_GE(got.value["delay"].get<double>(), 0.0);
  EXPECT_TRUE(got.value["observed_at"].is_string());
  SinkInfo info;
  ASSERT_TRUE(SnapshotSink("t-record", &info));
  EXPECT_EQ(info.rejected, 1u);

  // Resolved notifications are another status; labels must all match.
  json resolved = args;
  resolved["status"] = "resolved";
  EXPECT_EQ(Probe("notification_received", resolved, Env{}).value["received"], false);
  json other = args;
  other["labels"] = {{"job", "elsewhere"}};
  EXPECT_EQ(Probe("notification_received", other, Env{}).value["received"], false);

  sdk::Reply undo = Undo("start_notification_sink", {{"name", "t-record"}}, Env{});
  EXPECT_EQ(undo.value["closed"], true);
  EXPECT_FALSE(Post(port, kPayload).ok);  // closed: refused
  // Idempotent, and what recover sees after a crash: nothing left to close.
  EXPECT_EQ(Undo("start_notification_sink", {{"name", "t-record"}}, Env{}).value["closed"], false);
}

TEST(NotificationSink, WaitUntilReportsHeldOrTimesOutOnTheInjectedClock) {
  const int port = OpenSinkOnAnyPort("t-wait");
  ASSERT_GT(port, 0);
  std::atomic<uint64_t> now{0};
  json args{{"sink", "t-wait"},
            {"alertname", "TelemetryLost"},
            {"wait_until", {{"condition", {{"received", true}}}, {"timeout", 2}}}};
  sdk::Reply timed_out = Probe("notification_received", args, FakeTimeEnv(&now));
  ASSERT_EQ(timed_out.status, CHAOSRUN_OK) << timed_out.value.dump();
  EXPECT_EQ(timed_out.value["held"], false);
  EXPECT_GE(timed_out.value["waited"].get<double>(), 2.0);
  EXPECT_TRUE(timed_out.value["observed_at"].is_null());
  EXPECT_GE(timed_out.value["polls"].get<int>(), 2);

  ASSERT_TRUE(Post(port, kPayload).ok);
  sdk::Reply held = Probe("notification_received", args, FakeTimeEnv(&now));
  ASSERT_EQ(held.status, CHAOSRUN_OK) << held.value.dump();
  EXPECT_EQ(held.value["held"], true);
  EXPECT_EQ(held.value["polls"], 1);
  // observed_at is the notification's arrival, not the poll's time.
  EXPECT_EQ(held.value["observed_at"], held.value["value"]["first"]["received_at"]);
  EXPECT_EQ(Undo("start_notification_sink", {{"name", "t-wait"}}, Env{}).value["closed"], true);
}

TEST(NotificationSink, AWaitStopsWhenTheHostCancels) {
  const int port = OpenSinkOnAnyPort("t-cancel");
  ASSERT_GT(port, 0);
  std::atomic<uint64_t> now{0};
  Env env = FakeTimeEnv(&now);
  std::atomic<int> looks{0};
  env.cancelled = [&looks] { return ++looks > 5; };
  json args{{"sink", "t-cancel"},
            {"alertname", "TelemetryLost"},
            {"wait_until", {{"condition", {{"received", true}}}, {"timeout", 3600}}}};
  sdk::Reply r = Probe("notification_received", args, env);
  EXPECT_EQ(r.status, CHAOSRUN_CANCELLED) << r.value.dump();
  Undo("start_notification_sink", {{"name", "t-cancel"}}, Env{});
}

TEST(NotificationSink, RefusalsAndTheVacuousBeforeHypothesis) {
  const int port = OpenSinkOnAnyPort("t-twice");
  ASSERT_GT(port, 0);
  // A second sink of the same name, or on the same port, fails.
  sdk::Reply again = Apply("start_notification_sink", {{"name", "t-twice"}, {"port", 0}}, Env{});
  EXPECT_EQ(again.status, CHAOSRUN_FAILED);
  sdk::Reply same_port =
      Apply("start_notification_sink", {{"name", "t-other"}, {"port", port}}, Env{});
  EXPECT_EQ(same_port.status, CHAOSRUN_FAILED) << same_port.value.dump();
  Undo("start_notification_sink", {{"name", "t-twice"}}, Env{});

  EXPECT_EQ(Prepare("start_notification_sink", {{"port", 70000}}, Env{}).status,
            CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Prepare("start_notification_sink", {{"name", "a b"}}, Env{}).status,
            CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Prepare("start_notification_sink", {{"prot", 1}}, Env{}).value["error"],
            "start_notification_sink: unknown argument 'prot'");

  sdk::Reply missing = Probe("notification_received", {{"sink", "t-never"}}, Env{});
  EXPECT_EQ(missing.status, CHAOSRUN_FAILED);
  sdk::Reply vacuous =
      Probe("notification_received", {{"sink", "t-never"}, {"pass_before_sink", true}}, Env{});
  ASSERT_EQ(vacuous.status, CHAOSRUN_OK);
  EXPECT_EQ(vacuous.value["received"], true);
  EXPECT_EQ(vacuous.value["vacuous"], true);
  EXPECT_EQ(Probe("notification_received", {{"status", "maybe"}}, Env{}).status,
            CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Probe("notification_received",
                  {{"wait_until", {{"condition", {{"firing", true}}}, {"timeout", 1}}}}, Env{})
                .status,
            CHAOSRUN_INVALID_ARGUMENT);
}

TEST(TelemetryProbes, AnUnreachableServerIsAFailureNamingIt) {
  // A port that was free a moment ago: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  ::close(fd);
  sdk::Reply q = Probe("prometheus_query", {{"url", url}, {"query", "up"}}, Env{});
  EXPECT_EQ(q.status, CHAOSRUN_FAILED);
  EXPECT_NE(q.value["error"].get<std::string>().find(url), std::string::npos) << q.value.dump();
  sdk::Reply al = Probe("alert_firing", {{"url", url}, {"alertname", "X"}}, Env{});
  EXPECT_EQ(al.status, CHAOSRUN_FAILED);
  // In the wait form the failure is data: held false with the last error.
  std::atomic<uint64_t> now{0};
  sdk::Reply w = Probe("alert_firing",
                       {{"url", url},
                        {"alertname", "X"},
                        {"wait_until", {{"condition", {{"firing", true}}}, {"timeout", 1}}}},
                       FakeTimeEnv(&now));
  ASSERT_EQ(w.status, CHAOSRUN_OK) << w.value.dump();
  EXPECT_EQ(w.value["held"], false);
  EXPECT_TRUE(w.value["error"].is_string());
  EXPECT_EQ(Probe("prometheus_query", {{"query", ""}}, Env{}).status, CHAOSRUN_INVALID_ARGUMENT);
  EXPECT_EQ(Probe("prometheus_query",
                  {{"query", "up"},
                   {"wait_until", {{"condition", {{"op", "~"}, {"value", 1}}}, {"timeout", 1}}}},
                  Env{})
                .value["error"],
            "prometheus_query: wait_until/condition: op must be one of >, >=, <, <=, ==, !=");
  EXPECT_EQ(Probe("alert_firing", json::object(), Env{}).status, CHAOSRUN_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace chaosrun::drivers::telemetry
