// Notifier: sends a run's events (run-started, run-completed, ...) to the settings file's http
// notification channels, as the reference does (ctk-spec §8.12, docs/settings.md): a POST of the
// event document as JSON, or a GET without it when the channel has forward_event_payload: false;
// the channel's headers; its verify_tls. Through the project's one HTTP client
// (providers::PerformHttp), each request bounded by the reference's timeouts (2 s to connect,
// 5 s without a byte read).
//
// Never blocking, never failing the run: Notify() only queues (a worker thread, started on the
// first event a channel wants, sends in order); a failed or refused delivery is a warning in the
// log naming the channel's pointer (never its URL: a webhook's path is often its secret), and
// nothing else. Finish() waits for what is queued for at most a bound, then cancels the rest;
// Interrupt() (a Ctrl-C during that wait, or before it) cuts the wait at once.
// Every payload goes through the redactor before it leaves: no registered secret is sent.
//
// Thread-safety: Notify and Finish from any thread; the destructor calls Finish(0) (cancels).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/cancel.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/redact.h"
#include "notify/channels.h"

namespace chaosrun::notify {

struct NotifierOptions {
  double connect_timeout_seconds = 2;  // requests' timeout=(2, 5) in the reference
  double read_timeout_seconds = 5;
  size_t max_response = 64 * 1024;  // what is read of an answer (it is not used)
};

class Notifier {
 public:
  Notifier(std::vector<Channel> channels, const Redactor& redactor, Clock& clock,
           NotifierOptions options = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool empty() const { return channels_.empty(); }

  // Queues `event` for every channel that wants it. `payload`: the experiment (run-started,
  // validate-*) or the journal (run-completed, -failed, -deviated); `error`: why it failed.
  void Notify(std::string_view event, const Json& payload, const std::string& error = "");

  // Waits until every queued notification is delivered or given up, for at most `max_seconds`
  // on the clock; then the request in flight is cancelled, the rest dropped (a warning says how
  // many), and the worker joined. Notify() after it does nothing. Returns how many were dropped.
  size_t Finish(double max_seconds);

  // Finish() (running or to come) waits no more: the request in flight is cancelled and the rest
  // dropped, with one warning naming `reason`. Idempotent; from any thread.
  void Interrupt(const std::string& reason);

  uint64_t delivered() const;
  uint64_t failures() const;

 private:
  struct Item {
    size_t channel;
    std::string event;
    std::string body;
  };
  void Loop();
  bool Deliver(const Item& item);

  const std::vector<Channel> channels_;
  const Redactor& redactor_;
  Clock& clock_;
  const NotifierOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool busy_ = false;
  bool finished_ = false;
  bool stopping_ = false;
  uint64_t delivered_ = 0;
  uint64_t failures_ = 0;
  CancelSource stop_;
  std::string interrupted_;  // Interrupt()'s reason ("" = none)
  CancelSource idle_;  // fires once nothing is queued or in flight after Finish() began, or on
                       // Interrupt()
  std::thread thread_;
};

}  // namespace chaosrun::notify
