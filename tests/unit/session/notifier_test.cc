// Run notifications (notify/notifier.h) against a real loopback HTTP receiver
// (tests/support/http_server.h): the reference's event document, POST or GET, the channel's
// headers, event filtering, redaction, and a receiver that fails or never answers holding up
// nothing beyond the bound.
#include "notify/notifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "support/fake_clock.h"
#include "support/http_server.h"

namespace chaosrun::notify {
namespace {

using ::chaosrun::testing::Gate;
using ::chaosrun::testing::HttpServer;
using ::chaosrun::testing::TestRequest;
using ::chaosrun::testing::TestResponse;

TestResponse NotifierReply(int status, const std::string& body) {
  TestResponse r;
  r.status = status;
  r.body = body;
  return r;
}

// What a receiver got, in order.
class Inbox {
 public:
  void Add(const TestRequest& r) {
    std::lock_guard lock(mu_);
    requests_.push_back(r);
  }
  std::vector<TestRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<TestRequest> requests_;
};

Channel HttpChannel(const std::string& url) {
  Channel c;
  c.pointer = "/notifications/0";
  c.url = url;
  return c;
}

TEST(Notifier, PostsTheReferenceEventDocument) {
  HttpServer server;
  Inbox inbox;
  server.Handle("*", "/hook", [&](const TestRequest& r) {
    inbox.Add(r);
    return NotifierReply(200, "ok");
  });
  Channel c = HttpChannel(server.Url("/hook"));
  c.headers = {"Authorization: Bearer t0ken"};
  testing::FakeClock clock(/*auto_advance=*/false);  // Finish waits for the delivery
  Redactor redactor;
  redactor.Add("s3cr3t-value");
  Notifier n({c}, redactor, clock);
  n.Notify("run-failed", {{"title", "t"}, {"password", "s3cr3t-value"}}, "it broke: s3cr3t-value");
  EXPECT_EQ(n.Finish(30), 0u);
  EXPECT_EQ(n.delivered(), 1u);
  auto got = inbox.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].Header("Authorization"), "Bearer t0ken");
  EXPECT_EQ(got[0].Header("Content-Type"), "application/json");
  Json doc = Json::parse(got[0].body);
  EXPECT_EQ(doc["name"], "run-failed");
  EXPECT_EQ(doc["phase"], "run");
  EXPECT_EQ(doc["payload"]["title"], "t");
  EXPECT_TRUE(doc["ts"].is_number_float());
  // The fake clock's wall time: 2026-01-01T00:00:00Z plus its steady start (one hour).
  EXPECT_DOUBLE_EQ(doc["ts"].get<double>(), 1767225600.0 + 3600);
  EXPECT_EQ(got[0].body.find("s3cr3t-value"), std::string::npos) << got[0].body;
  EXPECT_TRUE(doc.contains("error"));
}

TEST(Notifier, AChannelWithoutForwardingGetsAGetAndOnlyItsEvents) {
  HttpServer server;
  Inbox inbox;
  server.Handle("*", "/h", [&](const TestRequest& r) {
    inbox.Add(r);
    return NotifierReply(204, "");
  });
  Channel c = HttpChannel(server.Url("/h"));
  c.forward_event_payload = false;
  c.events = {"run-deviated"};
  testing::FakeClock clock(/*auto_advance=*/false);
  Redactor redactor;
  Notifier n({c}, redactor, clock);
  n.Notify("run-started", Json::object());
  n.Notify("run-deviated", Json::object());
  n.Notify("run-completed", Json::object());
  EXPECT_EQ(n.Finish(30), 0u);
  auto got = inbox.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "GET");
  EXPECT_EQ(got[0].body, "");
  EXPECT_EQ(n.delivered(), 1u);
}

TEST(Notifier, FailuresAreCountedAndTheNextChannelStillGetsItsEvent) {
  HttpServer server;
  Inbox inbox;
  server.Handle("*", "/500", [&](const TestRequest& r) {
    inbox.Add(r);
    return NotifierReply(500, "no");
  });
  server.Handle("*", "/ok", [&](const TestRequest& r) {
    inbox.Add(r);
    return NotifierReply(200, "");
  });
  std::vector<Channel> channels = {
      HttpChannel("http://127.0.0.1:" + std::to_string(testing::ClosedLoopbackPort()) + "/"),
      HttpChannel(server.Url("/500")), HttpChannel(server.Url("/ok"))};
  testing::FakeClock clock(/*auto_advance=*/false);
  Redactor redactor;
  Notifier n(channels, redactor, clock);
  n.Notify("run-completed", Json::object());
  EXPECT_EQ(n.Finish(30), 0u);
  EXPECT_EQ(n.failures(), 2u);
  EXPECT_EQ(n.delivered(), 1u);
  EXPECT_EQ(inbox.requests().size(), 2u);
}

TEST(Notifier, AReceiverThatNeverAnswersIsCutAtTheBound) {
  HttpServer server;
  Gate release;
  Gate arrived;
  server.Handle("*", "/stall", [&](const TestRequest&) {
    arrived.Open();
    release.Wait();
    return NotifierReply(200, "");
  });
  Channel c = HttpChannel(server.Url("/stall"));
  // The fake clock runs the bound out at once; the request in flight is then cancelled.
  testing::FakeClock clock;
  Redactor redactor;
  NotifierOptions options;
  options.read_timeout_seconds = 600;  // only the bound can end it
  Notifier n({c, c}, redactor, clock, options);
  n.Notify("run-started", Json::object());
  arrived.Wait();
  EXPECT_EQ(n.Finish(10), 2u);  // one in flight, one queued
  EXPECT_EQ(n.delivered(), 0u);
  EXPECT_EQ(n.failures(), 2u);
  release.Open();
  n.Notify("run-completed", Json::object());  // after Finish: nothing
  EXPECT_EQ(n.failures(), 2u);
}

// A clock that never advances: only Interrupt() can end Finish()'s wait (from another thread,
// before or while Finish waits: the outcome is the same).
TEST(Notifier, AnInterruptEndsTheDrainAndDropsWhatIsLeft) {
  HttpServer server;
  Gate release;
  Gate arrived;
  server.Handle("*", "/stall", [&](const TestRequest&) {
    arrived.Open();
    release.Wait();
    return NotifierReply(200, "");
  });
  Channel c = HttpChannel(server.Url("/stall"));
  testing::FakeClock clock(/*auto_advance=*/false);
  Redactor redactor;
  NotifierOptions options;
  options.read_timeout_seconds = 600;
  Notifier n({c, c}, redactor, clock, options);
  n.Notify("run-completed", Json::object());
  arrived.Wait();
  std::thread ctrl_c([&] { n.Interrupt("SIGINT received (Ctrl-C)"); });
  EXPECT_EQ(n.Finish(10), 2u);  // one in flight (cancelled), one queued
  ctrl_c.join();
  EXPECT_EQ(n.delivered(), 0u);
  EXPECT_EQ(n.failures(), 2u);
  release.Open();
}

TEST(Notifier, AnInterruptBeforeTheDrainMeansNoWait) {
  HttpServer server;
  Gate release;
  Gate arrived;
  server.Handle("*", "/stall", [&](const TestRequest&) {
    arrived.Open();
    release.Wait();
    return NotifierReply(200, "");
  });
  testing::FakeClock clock(/*auto_advance=*/false);  // a wait would never end
  Redactor redactor;
  Notifier n({HttpChannel(server.Url("/stall"))}, redactor, clock);
  n.Notify("run-failed", Json::object());
  arrived.Wait();
  n.Interrupt("");
  n.Interrupt("again");  // idempotent
  EXPECT_EQ(n.Finish(10), 1u);
  EXPECT_EQ(n.failures(), 1u);
  release.Open();
}

TEST(Notifier, WithoutAWantedEventNoThreadAndNothingSent) {
  testing::FakeClock clock;
  Redactor redactor;
  Channel c = HttpChannel("http://127.0.0.1:9/");
  c.events = {"validate-failed"};
  Notifier n({c}, redactor, clock);
  n.Notify("run-started", Json::object());
  EXPECT_EQ(n.Finish(10), 0u);
  EXPECT_EQ(n.delivered() + n.failures(), 0u);
}

TEST(NotifyChannels, EventDocumentPhases) {
  EXPECT_EQ(EventDocument("validate-started", nullptr, "", 1.5)["phase"], "validate");
  EXPECT_EQ(EventDocument("run-started", nullptr, "", 1.5)["phase"], "run");
  EXPECT_FALSE(EventDocument("run-started", nullptr, "", 1.5).contains("error"));
  EXPECT_TRUE(IsKnownEvent("run-deviated"));
  EXPECT_FALSE(IsKnownEvent("discovery-started"));  // a reference event chaosrun never sends
}

}  // namespace
}  // namespace chaosrun::notify
