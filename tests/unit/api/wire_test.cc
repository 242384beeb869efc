// What the server does about cpp-httplib 0.11's own limits: a Transfer-Encoding (whose chunked
// body 0.11 would read past the body limit) is refused before any of the body is read, after the
// token check; the pool's queue of accepted connections is bounded and drained at shutdown
// (api/task_queue.h).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/task_queue.h"
#include "api_fixture.h"
#include "support/latch.h"

namespace chaosrun::apitest {
namespace {

using WireTest = ApiTest;

TEST_F(WireTest, TransferEncodingIsRefusedBeforeTheBodyIsRead) {
  api::ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  // A chunked body far over the limit: only the first chunk is ever sent.
  std::string head = "POST /v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n" + BearerHeader() +
                     "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  RawConnection c(port_);
  ASSERT_TRUE(c.Send(head + "100000\r\n{\"experiment\": \"latency-drill\""));
  RawReply r = c.ReadReply();
  ExpectError(r, 411, "Transfer-Encoding is not accepted");
  // Without the token, the token is what is refused.
  RawConnection anon(port_);
  ASSERT_TRUE(
      anon.Send("POST /v1/halt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  EXPECT_EQ(anon.ReadReply().status, 401);
  EXPECT_TRUE(control_.Calls().empty());
}

TEST(BoundedTaskQueue, AtMostMaxWaitingTasksWaitAndAllRunBeforeShutdownReturns) {
  chaosrun::testing::Latch hold;
  std::atomic<int> ran{0};
  api::BoundedTaskQueue queue(/*threads=*/1, /*max_waiting=*/1);
  std::atomic<bool> first_running{false};
  queue.enqueue([&] {
    first_running = true;
    hold.Wait();
    ++ran;
  });
  while (!first_running) std::this_thread::yield();
  std::atomic<bool> producer_done{false};
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i) queue.enqueue([&] { ++ran; });
    producer_done = true;
  });
  // The queue fills to its bound (polled, capped) and never beyond it; the producer, which
  // needs ten places, cannot be done while the only worker is held.
  bool filled = false;
  for (int i = 0; i < 1'000'000 && !filled; ++i) {
    size_t waiting = queue.waiting();
    ASSERT_LE(waiting, 1u);
    filled = waiting == 1;
    if (!filled) std::this_thread::yield();
  }
  ASSERT_TRUE(filled);
  EXPECT_LE(queue.waiting(), 1u);
  EXPECT_FALSE(producer_done);
  hold.Release();
  producer.join();
  queue.shutdown();  // drains what is left
  EXPECT_EQ(ran, 11);
  // After shutdown a task runs at once in the caller (its socket is still served and closed).
  queue.enqueue([&] { ++ran; });
  EXPECT_EQ(ran, 12);
}

}  // namespace
}  // namespace chaosrun::apitest
