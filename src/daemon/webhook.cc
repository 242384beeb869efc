#include "daemon/webhook.h"

#include "common/log.h"
#include "providers/http_transfer.h"

namespace chaosrun::daemon {

std::string WebhookUrlForLog(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "(a webhook URL)";
  size_t host_start = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  std::string authority = url.substr(
      host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  std::string out = url.substr(0, host_start) + authority;
  if (host_end != std::string::npos) out += "/…";
  return out;
}

WebhookSender::WebhookSender(WebhookOptions options, Clock& clock)
    : clock_(clock), options_(options) {
  thread_ = std::thread([this] { Loop(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_.Cancel("the daemon is stopping");
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::SetOptions(const WebhookOptions& options) {
  std::lock_guard lock(mu_);
  options_ = options;
}

size_t WebhookSender::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + (busy_ ? 1 : 0);
}

size_t WebhookSender::Drain(double max_seconds) {
  {
    std::lock_guard lock(mu_);
    if (draining_ || stopping_) return 0;
    draining_ = true;
    if (queue_.empty() && !busy_) idle_.Cancel("nothing to send");
  }
  if (!idle_.cancelled() && max_seconds > 0) {
    (void)clock_.SleepFor(SecondsToDuration(max_seconds), idle_.token());
  }
  size_t cut = 0;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cut = queue_.size() + (busy_ ? 1 : 0);
    failures_ += queue_.size();  // the one in flight is counted when its try returns
    queue_.clear();
  }
  if (cut > 0) {
    log::Warn("webhooks: {} notification(s) not delivered within {} s of the stop: dropped", cut,
              max_seconds);
  }
  stop_.Cancel("the daemon is stopping");
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  return cut;
}

void WebhookSender::Enqueue(const std::string& url, const Json& summary) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || draining_) {
      log::Warn("webhook to {}: the daemon is stopping; not sent", WebhookUrlForLog(url));
      ++failures_;
      return;
    }
    if (queue_.size() >= options_.max_queue) {
      log::Warn("webhook queue full: dropping the notification to {}",
                WebhookUrlForLog(queue_.front().url));
      queue_.pop_front();
      ++failures_;
    }
    queue_.push_back({url, DumpCompact(summary)});
  }
  cv_.notify_all();
}

void WebhookSender::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    WebhookOptions options = options_;
    busy_ = true;
    lock.unlock();
    bool ok = Deliver(item, options);
    lock.lock();
    busy_ = false;
    if (ok) {
      ++delivered_;
    } else {
      ++failures_;
    }
    if (draining_ && queue_.empty()) idle_.Cancel("every notification went out");
  }
}

bool WebhookSender::Deliver(const Item& item, const WebhookOptions& options) {
  CancelToken cancel = stop_.token();
  double backoff = options.backoff_seconds;
  for (int attempt = 1; attempt <= options.attempts; ++attempt) {
    if (cancel.cancelled()) return false;
    providers::HttpRequest req;
    req.url = item.url;
    req.method = "POST";
    req.headers = {"Content-Type: application/json", "User-Agent: chaosrund"};
    req.body = item.body;
    req.timeout.total = options.timeout_seconds;
    req.max_body = 64 * 1024;
    ++attempts_;
    providers::HttpResult r = providers::PerformHttp(req, cancel);
    if (r.error == providers::HttpResult::Error::kNone && r.status >= 200 && r.status < 300) {
      return true;
    }
    if (cancel.cancelled()) {
      log::Warn("webhook {} (try {}/{}): cut short: the daemon is stopping",
                WebhookUrlForLog(item.url), attempt, options.attempts);
      return false;
    }
    std::string why = r.error == providers::HttpResult::Error::kNone
                          ? "HTTP " + std::to_string(r.status)
                          : r.message;
    log::Warn("webhook {} (try {}/{}): {}", WebhookUrlForLog(item.url), attempt, options.attempts,
              why);
    if (attempt < options.attempts) {
      if (!clock_.SleepFor(SecondsToDuration(backoff), cancel)) return false;
      backoff *= 2;
    }
  }
  log::Error("webhook {}: giving up after {} tries", WebhookUrlForLog(item.url), options.attempts);
  return false;
}

}  // namespace chaosrun::daemon
