// Webhook notifications: a run's summary POSTed as JSON to its schedule's webhook when the run
// ends (completed, failed, deviated, aborted...). One worker thread of its own sends them in
// order, through the project's one HTTP client (providers::PerformHttp, libcurl loaded on first
// use), each try bounded by a timeout, at most `attempts` tries with a doubling backoff between.
// Enqueue never blocks: a full queue drops the oldest notification (counted as a failure), so a
// failing or hung receiver can never hold up a run.
//
// At shutdown Drain() gives the notifications still waiting a bounded time to go out (the
// daemon's last runs end just before it stops); what is left then is dropped and counted.
//
// Thread-safety: every method from any thread; the destructor cancels the try in flight and
// joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "common/cancel.h"
#include "common/clock.h"
#include "common/json.h"

namespace chaosrun::daemon {

// What the log shows of a webhook URL: its scheme, host and port only ("https://hooks.example
// .com/…"). A webhook's path or query is often its secret (Slack, Teams, ...); credentials in
// the authority are dropped too.
std::string WebhookUrlForLog(const std::string& url);

struct WebhookOptions {
  double timeout_seconds = 5;
  int attempts = 3;
  double backoff_seconds = 1;
  size_t max_queue = 1000;
};

class WebhookSender {
 public:
  WebhookSender(WebhookOptions options, Clock& clock);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void SetOptions(const WebhookOptions& options);
  void Enqueue(const std::string& url, const Json& summary);
  // Stops taking notifications, then waits until every one queued or in flight is delivered or
  // given up, for at most `max_seconds` on the clock (its retries and backoff included). Then
  // the try in flight is cancelled and the rest dropped (logged, counted in failures()); the
  // worker is joined. Later calls, and Enqueue after it, do nothing. Returns how many were
  // dropped or cut.
  size_t Drain(double max_seconds);

  uint64_t delivered() const { return delivered_.load(); }
  uint64_t failures() const { return failures_.load(); }  // given up after every try, or dropped
  uint64_t attempts() const { return attempts_.load(); }  // tries made, in all
  size_t pending() const;

 private:
  struct Item {
    std::string url;
    std::string body;
  };
  void Loop();
  bool Deliver(const Item& item, const WebhookOptions& options);

  Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  WebhookOptions options_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  bool draining_ = false;  // Drain() called: Enqueue refuses, idle_ fires once nothing is left
  bool busy_ = false;
  CancelSource stop_;
  CancelSource idle_;
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> attempts_{0};
  std::thread thread_;
};

}  // namespace chaosrun::daemon
