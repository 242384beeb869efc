#include "notify/notifier.h"

#include <cctype>
#include <chrono>

#include "common/log.h"
#include "common/no_throw.h"
#include "providers/http_transfer.h"

namespace chaosrun::notify {

namespace {

bool HasHeader(const std::vector<std::string>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.size() <= name.size() || h[name.size()] != ':') continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(h[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return true;
  }
  return false;
}

double EpochSeconds(Clock::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

Notifier::Notifier(std::vector<Channel> channels, const Redactor& redactor, Clock& clock,
                   NotifierOptions options)
    : channels_(std::move(channels)), redactor_(redactor), clock_(clock), options_(options) {}

Notifier::~Notifier() { (void)Finish(0); }

void Notifier::Notify(std::string_view event, const Json& payload, const std::string& error) {
  std::vector<size_t> wanted;
  for (size_t i = 0; i < channels_.size(); ++i) {
    if (channels_[i].Wants(event)) wanted.push_back(i);
  }
  if (wanted.empty()) return;
  // Redacted before it leaves chaosrun: the payload and the error alike.
  Json doc = EventDocument(event, redactor_.RedactJson(payload), redactor_.Redact(error),
                           EpochSeconds(clock_.WallNow()));
  std::string body = DumpCompact(doc);
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    for (size_t i : wanted) queue_.push_back({i, std::string(event), body});
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }
  cv_.notify_all();
}

size_t Notifier::Finish(double max_seconds) {
  {
    std::lock_guard lock(mu_);
    if (finished_) return 0;
    finished_ = true;
    if (queue_.empty() && !busy_) idle_.Cancel("nothing to send");
  }
  if (!idle_.cancelled() && max_seconds > 0) {
    (void)clock_.SleepFor(SecondsToDuration(max_seconds), idle_.token());
  }
  size_t cut = 0;
  std::string interrupted;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cut = queue_.size() + (busy_ ? 1 : 0);
    failures_ += queue_.size();  // the one in flight is counted when its try returns
    queue_.clear();
    interrupted = interrupted_;
  }
  // The one warning of a cut: the request in flight, cancelled below, adds none (Deliver).
  if (cut > 0 && !interrupted.empty()) {
    log::Warn("notifications: {} not delivered ({}); dropped", cut, interrupted);
  } else if (cut > 0) {
    log::Warn("notifications: {} not delivered within {} s of the end; dropped", cut, max_seconds);
  }
  stop_.Cancel("chaosrun is exiting");
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  return cut;
}

void Notifier::Interrupt(const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    if (!interrupted_.empty()) return;
    interrupted_ = reason.empty() ? "interrupted" : reason;
  }
  idle_.Cancel("interrupted");
}

uint64_t Notifier::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

uint64_t Notifier::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

void Notifier::Loop() {
  NoThrow("the notification sender", [this] {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      Item item = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      bool ok = false;
      NoThrow("a notification", [&] { ok = Deliver(item); });
      lock.lock();
      busy_ = false;
      if (ok) {
        ++delivered_;
      } else {
        ++failures_;
      }
      if (finished_ && queue_.empty()) idle_.Cancel("every notification went out");
    }
  });
}

bool Notifier::Deliver(const Item& item) {
  const Channel& channel = channels_[item.channel];
  providers::HttpRequest req;
  req.url = channel.url;
  req.headers = channel.headers;
  if (!HasHeader(req.headers, "User-Agent")) req.headers.push_back("User-Agent: chaosrun");
  if (channel.forward_event_payload) {
    req.method = "POST";
    if (!HasHeader(req.headers, "Content-Type")) {
      req.headers.push_back("Content-Type: application/json");
    }
    req.body = item.body;
  } else {
    req.method = "GET";
  }
  req.timeout.connect = options_.connect_timeout_seconds;
  req.timeout.read = options_.read_timeout_seconds;
  req.verify_tls = channel.verify_tls;
  req.max_body = options_.max_response;
  providers::HttpResult r = providers::PerformHttp(req, stop_.token());
  if (r.error == providers::HttpResult::Error::kNone && r.status < 400) {
    log::Debug("notification {} sent to the channel {} (HTTP {})", item.event, channel.pointer,
               r.status);
    return true;
  }
  if (r.error == providers::HttpResult::Error::kCancelled && stop_.cancelled()) {
    // Cut by Finish(), whose warning counted it already.
    log::Debug("notification {} to the channel {} cancelled at exit", item.event, channel.pointer);
    return false;
  }
  std::string why = r.error == providers::HttpResult::Error::kNone
                        ? "HTTP " + std::to_string(r.status)
                        : redactor_.Redact(r.message);
  log::Warn("notification {} to the channel {} failed: {}", item.event, channel.pointer, why);
  return false;
}

}  // namespace chaosrun::notify
