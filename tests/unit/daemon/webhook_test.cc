// Webhooks against a real loopback receiver (tests/support/http_server.h).
#include "daemon/webhook.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/fake_clock.h"
#include "support/http_server.h"

namespace chaosrun::daemon {
namespace {

using chaosrun::testing::FakeClock;
using chaosrun::testing::Gate;
using chaosrun::testing::HttpServer;
using chaosrun::testing::TestRequest;
using chaosrun::testing::TestResponse;

TestResponse Reply(int status, std::string body) {
  TestResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Polls `done` until it holds, at most ~20 s.
template <typename F>
bool PollUntil(F done) {
  for (int i = 0; i < 4000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST(Webhook, PostsTheSummaryAsJson) {
  HttpServer server;
  std::mutex mu;
  std::vector<TestRequest> seen;
  server.Handle("POST", "/hook", [&](const TestRequest& r) {
    std::lock_guard lock(mu);
    seen.push_back(r);
    return Reply(204, "");
  });
  FakeClock clock;
  WebhookSender sender({}, clock);
  sender.Enqueue(server.Url("/hook"), {{"id", "r1"}, {"status", "completed"}});
  ASSERT_TRUE(PollUntil([&] { return sender.delivered() == 1; }));
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(Json::parse(seen[0].body)["id"], "r1");
  EXPECT_EQ(seen[0].Header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(sender.failures(), 0u);
}

TEST(Webhook, RetriesABoundedNumberOfTimesThenGivesUp) {
  HttpServer server;
  std::atomic<int> calls{0};
  server.Handle("POST", "/fail", [&](const TestRequest&) {
    ++calls;
    return Reply(500, "no");
  });
  FakeClock clock;  // auto-advance: the backoff costs no real time
  WebhookSender sender({.timeout_seconds = 5, .attempts = 3, .backoff_seconds = 1}, clock);
  sender.Enqueue(server.Url("/fail"), {{"id", "r1"}});
  ASSERT_TRUE(PollUntil([&] { return sender.failures() == 1; }));
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(sender.attempts(), 3u);
  EXPECT_EQ(clock.slept(), std::chrono::seconds(1 + 2));  // doubling backoff between tries
  // Refused connections fail the same way.
  sender.Enqueue("http://127.0.0.1:" + std::to_string(chaosrun::testing::ClosedLoopbackPort()),
                 {{"id", "r2"}});
  ASSERT_TRUE(PollUntil([&] { return sender.failures() == 2; }));
}

TEST(Webhook, AHungReceiverNeverBlocksEnqueueAndIsCutAtTheTimeout) {
  HttpServer server;
  Gate release;
  server.Handle("POST", "/hang", [&](const TestRequest&) {
    release.Wait();
    return Reply(200, "");
  });
  std::atomic<int> ok_calls{0};
  server.Handle("POST", "/ok", [&](const TestRequest&) {
    ++ok_calls;
    return Reply(200, "");
  });
  FakeClock clock;
  WebhookSender sender({.timeout_seconds = 0.2, .attempts = 1, .backoff_seconds = 0}, clock);
  sender.Enqueue(server.Url("/hang"), {{"id", "r1"}});
  for (int i = 0; i < 50; ++i) sender.Enqueue(server.Url("/ok"), {{"id", i}});  // never blocks
  ASSERT_TRUE(PollUntil([&] { return sender.failures() == 1; }));  // cut by the timeout
  ASSERT_TRUE(PollUntil([&] { return ok_calls.load() == 50; }));
  release.Open();
}

TEST(Webhook, AFullQueueDropsTheOldestAndCountsIt) {
  HttpServer server;
  Gate release;
  server.Handle("POST", "/slow", [&](const TestRequest&) {
    release.Wait();
    return Reply(200, "");
  });
  FakeClock clock;
  WebhookSender sender({.timeout_seconds = 30, .attempts = 1, .max_queue = 2}, clock);
  sender.Enqueue(server.Url("/slow"), {{"id", 0}});
  ASSERT_TRUE(PollUntil([&] { return server.request_count() == 1; }));
  for (int i = 1; i <= 4; ++i) sender.Enqueue(server.Url("/slow"), {{"id", i}});
  EXPECT_EQ(sender.failures(), 2u);
  EXPECT_EQ(sender.pending(), 3u);
  release.Open();
  ASSERT_TRUE(PollUntil([&] { return sender.delivered() == 3; }));
}

// At shutdown the notifications still waiting go out: Drain waits (on the clock, here a manual
// one that only the end of the queue can wake) until the receiver has had them all.
TEST(Webhook, DrainAtShutdownDeliversWhatIsPending) {
  HttpServer server;
  Gate release;
  std::atomic<int> calls{0};
  server.Handle("POST", "/hook", [&](const TestRequest&) {
    if (++calls == 1) release.Wait();
    return Reply(200, "");
  });
  FakeClock clock(/*auto_advance=*/false);
  WebhookSender sender({.timeout_seconds = 30, .attempts = 1, .backoff_seconds = 0}, clock);
  for (int i = 0; i < 3; ++i) sender.Enqueue(server.Url("/hook"), {{"id", i}});
  ASSERT_TRUE(PollUntil([&] { return server.request_count() == 1; }));
  size_t cut = 99;
  std::thread drain([&] { cut = sender.Drain(5); });
  ASSERT_TRUE(PollUntil([&] { return clock.sleepers() == 1; }));  // Drain is waiting
  sender.Enqueue(server.Url("/hook"), {{"id", "late"}});          // refused while stopping
  EXPECT_EQ(sender.failures(), 1u);
  release.Open();
  drain.join();
  EXPECT_EQ(cut, 0u);
  EXPECT_EQ(sender.delivered(), 3u);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(sender.pending(), 0u);
  EXPECT_EQ(sender.Drain(5), 0u);  // a second call does nothing
}

// A hung receiver holds the stop no longer than the drain's bound: then the try in flight is
// cut and what waits is dropped, each counted as a failure.
TEST(Webhook, DrainIsBoundedAndCountsWhatItDrops) {
  HttpServer server;
  Gate release;
  server.Handle("POST", "/hang", [&](const TestRequest&) {
    release.Wait();
    return Reply(200, "");
  });
  FakeClock clock(/*auto_advance=*/false);
  WebhookSender sender({.timeout_seconds = 30, .attempts = 1, .backoff_seconds = 0}, clock);
  sender.Enqueue(server.Url("/hang"), {{"id", 1}});
  sender.Enqueue(server.Url("/hang"), {{"id", 2}});
  ASSERT_TRUE(PollUntil([&] { return server.request_count() == 1; }));
  size_t cut = 0;
  std::thread drain([&] { cut = sender.Drain(5); });
  ASSERT_TRUE(PollUntil([&] { return clock.sleepers() == 1; }));
  clock.Advance(std::chrono::seconds(5));  // the bound passes
  drain.join();
  release.Open();
  EXPECT_EQ(cut, 2u);
  EXPECT_EQ(sender.failures(), 2u);
  EXPECT_EQ(sender.delivered(), 0u);
  EXPECT_EQ(server.request_count(), 1);  // the second was never tried
}

// A webhook's path and query are often its secret (Slack, Teams): the log shows scheme and host.
TEST(Webhook, TheLogShowsOnlyTheSchemeAndHostOfAUrl) {
  EXPECT_EQ(WebhookUrlForLog("https://hooks.example.com/services/T000/B000/XXXX"),
            "https://hooks.example.com/…");
  EXPECT_EQ(WebhookUrlForLog("http://user:pw@127.0.0.1:9093?token=s3cret"),
            "http://127.0.0.1:9093/…");
  EXPECT_EQ(WebhookUrlForLog("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(WebhookUrlForLog("not a url/secret"), "(a webhook URL)");
}

}  // namespace
}  // namespace chaosrun::daemon
