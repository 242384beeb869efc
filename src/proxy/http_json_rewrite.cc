// The json_rewrite toxic's HTTP/1.x framer (http_json_rewrite.h): start line, headers,
// Content-Length or chunked bodies, one message after another.
#include "proxy/http_json_rewrite.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "common/json.h"
#include "proxy/http_head.h"

namespace chaosrun::proxy {

void HttpMethods::Push(std::string_view method) {
  if (pending_.size() >= kMax) pending_.pop_front();
  pending_.emplace_back(method);
}

std::string HttpMethods::Pop() {
  if (pending_.empty()) return {};
  std::string m = std::move(pending_.front());
  pending_.pop_front();
  return m;
}

HttpJsonRewriter::HttpJsonRewriter(Role role, std::shared_ptr<const JsonRewriteConfig> config,
                                   HttpMethods* methods, bool synced)
    : role_(role),
      config_(config),
      next_config_(std::move(config)),
      methods_(methods),
      state_(synced ? State::kHead : State::kUnsynced) {}

size_t HttpJsonRewriter::bound() const {
  size_t body = 0;
  for (const auto* c : {config_.get(), next_config_.get()}) {
    if (c) body = std::max(body, c->max_body_bytes);
  }
  return kMaxHeadBytes + body;
}

bool HttpJsonRewriter::LooksLikeStart(std::string_view in) const {
  if (role_ == Role::kResponses)
    return in.substr(0, http_framing::kHttp.size()) == http_framing::kHttp;
  size_t sp = in.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > http_framing::kMaxMethod) return false;
  for (char c : in.substr(0, sp)) {
    if (!std::isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool HttpJsonRewriter::PlausiblePrefix() const {
  std::string_view h = head_;
  if (role_ == Role::kResponses) {
    size_t n = std::min(h.size(), http_framing::kHttp.size());
    return h.substr(0, n) == http_framing::kHttp.substr(0, n);
  }
  // A method token, then a space.
  for (size_t i = 0; i < h.size() && i <= http_framing::kMaxMethod; ++i) {
    if (h[i] == ' ') return i > 0;
    if (!http_framing::IsTokenChar(h[i])) return false;
  }
  return h.size() <= http_framing::kMaxMethod;
}

void HttpJsonRewriter::Feed(std::string_view in, std::string& out) {
  if (state_ == State::kUnsynced) {
    if (!LooksLikeStart(in)) {
      out.append(in);
      return;
    }
    state_ = State::kHead;
  }
  while (!in.empty()) {
    switch (state_) {
      case State::kUnsynced:
      case State::kRaw:
        out.append(in);
        return;
      case State::kHead:
        FeedHead(in, out);
        break;
      case State::kBody:
        FeedBody(in, out);
        break;
      case State::kChunked:
        FeedChunked(in, out);
        break;
    }
  }
}

void HttpJsonRewriter::Flush(std::string& out) { GiveUp(out); }

void HttpJsonRewriter::GiveUp(std::string& out) {
  out.append(head_);
  out.append(raw_);
  head_.clear();
  raw_.clear();
  hold_ = false;
  state_ = State::kRaw;
}

void HttpJsonRewriter::FeedHead(std::string_view& in, std::string& out) {
  // Empty lines before a request line are allowed (and ignored by servers): passed on.
  if (head_.empty() && role_ == Role::kRequests) {
    while (!in.empty() && (in.front() == '\r' || in.front() == '\n')) {
      out += in.front();
      in.remove_prefix(1);
    }
    if (in.empty()) return;
  }
  size_t from = head_.size() >= 2 ? head_.size() - 2 : 0;
  size_t room = kMaxHeadBytes - head_.size();
  size_t take = std::min(in.size(), room);
  head_.append(in.substr(0, take));
  size_t end = http_framing::HeadEnd(head_, from);
  if (end == std::string::npos) {
    in.remove_prefix(take);
    if (!PlausiblePrefix() || head_.size() >= kMaxHeadBytes) GiveUp(out);
    return;
  }
  // Only the block itself: what follows it belongs to the body or the next message.
  size_t extra = head_.size() - end;
  head_.resize(end);
  in.remove_prefix(take - extra);
  if (!PlausiblePrefix()) {
    GiveUp(out);
    return;
  }
  StartMessage(out);
}

void HttpJsonRewriter::StartMessage(std::string& out) {
  config_ = next_config_;
  http_framing::Head h = http_framing::ParseHead(head_, role_ == Role::kRequests);
  if (!h.ok) {
    GiveUp(out);
    return;
  }
  head_size_ = head_.size();
  hold_ = false;
  chunked_ = false;
  raw_after_ = false;
  remaining_ = 0;
  bool has_body = true;
  bool until_close = false;
  if (h.request) {
    if (methods_) methods_->Push(h.method);
    if (h.method == "CONNECT" || h.upgrade) raw_after_ = true;
    if (h.other_coding && !h.chunked) {
      GiveUp(out);  // a request's body must be framed: unknown, so not framed any more
      return;
    }
    has_body = h.chunked || (h.length && *h.length > 0);
  } else {
    bool interim = h.status >= 100 && h.status < 200;
    std::string method = interim ? std::string() : (methods_ ? methods_->Pop() : std::string());
    if (h.status == 101 || (method == "CONNECT" && h.status >= 200 && h.status < 300)) {
      raw_after_ = true;
      has_body = false;
    } else if (interim || h.status == 204 || h.status == 304 || method == "HEAD") {
      has_body = false;
    } else if (!h.chunked && (!h.length || h.other_coding)) {
      until_close = true;  // the body ends with the connection (a coding overrides a length)
    }
  }
  bool candidate = config_ && has_body && !until_close && h.json && !h.encoded && !h.other_coding &&
                   !(h.request && h.expect_continue);
  if (candidate && !h.chunked && *h.length > config_->max_body_bytes) {
    candidate = false;
    ++stats_.oversize;
  }
  if (candidate) {
    hold_ = true;
    raw_ = std::move(head_);
  } else {
    out.append(head_);
  }
  head_.clear();
  if (until_close) {
    state_ = State::kRaw;
    return;
  }
  if (!has_body) {
    FinishMessage(out);
    return;
  }
  if (h.chunked) {
    chunked_ = true;
    chunk_ = Chunk::kSize;
    line_.clear();
    state_ = State::kChunked;
  } else {
    remaining_ = *h.length;
    state_ = State::kBody;
  }
}

void HttpJsonRewriter::Take(std::string_view& in, size_t n, std::string& out) {
  if (hold_) {
    raw_.append(in.substr(0, n));
  } else {
    out.append(in.substr(0, n));
  }
  in.remove_prefix(n);
}

void HttpJsonRewriter::CheckBound(std::string& out) {
  if (hold_ && raw_.size() - head_size_ > config_->max_body_bytes) {
    ++stats_.oversize;
    out.append(raw_);
    raw_.clear();
    hold_ = false;
  }
}

void HttpJsonRewriter::FeedBody(std::string_view& in, std::string& out) {
  size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
  Take(in, n, out);
  remaining_ -= n;
  if (remaining_ == 0) FinishMessage(out);
}

void HttpJsonRewriter::FeedChunked(std::string_view& in, std::string& out) {
  constexpr size_t kMaxLine = 4096;
  while (!in.empty() && state_ == State::kChunked) {
    switch (chunk_) {
      case Chunk::kSize:
      case Chunk::kTrailer: {
        size_t eol = in.find('\n');
        size_t n = eol == std::string_view::npos ? in.size() : eol + 1;
        line_.append(in.substr(0, n));
        Take(in, n, out);
        if (line_.size() > kMaxLine) {
          GiveUp(out);
          return;
        }
        if (eol == std::string_view::npos) break;
        std::string_view line =
            http_framing::Trim(std::string_view(line_).substr(0, line_.size() - 1));
        if (chunk_ == Chunk::kTrailer) {
          line_.clear();
          if (line.empty()) {
            FinishMessage(out);
            return;
          }
          continue;
        }
        std::string_view hex = http_framing::Trim(line.substr(0, line.find(';')));
        uint64_t size = 0;
        bool ok = !hex.empty() && hex.size() <= 15;
        for (char c : hex) {
          int v = std::isdigit(static_cast<unsigned char>(c))
                      ? c - '0'
                      : (std::tolower(static_cast<unsigned char>(c)) >= 'a' &&
                                 std::tolower(static_cast<unsigned char>(c)) <= 'f'
                             ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                             : -1);
          if (v < 0) ok = false;
          size = size * 16 + static_cast<uint64_t>(std::max(v, 0));
        }
        line_.clear();
        if (!ok) {
          GiveUp(out);
          return;
        }
        if (size == 0) {
          chunk_ = Chunk::kTrailer;
        } else {
          remaining_ = size;
          chunk_ = Chunk::kData;
        }
        break;
      }
      case Chunk::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
        if (hold_) {
          // Never more than one byte over the bound, even inside one read (CheckBound).
          size_t body = raw_.size() - head_size_;
          n = std::min(n, body < config_->max_body_bytes ? config_->max_body_bytes - body + 1 : 1);
        }
        Take(in, n, out);
        remaining_ -= n;
        if (remaining_ == 0) chunk_ = Chunk::kDataEnd;
        break;
      }
      case Chunk::kDataEnd: {
        // CRLF (or a bare LF) after the chunk's data.
        char c = in.front();
        if (c != '\r' && c != '\n') {
          GiveUp(out);
          return;
        }
        Take(in, 1, out);
        if (c == '\n') chunk_ = Chunk::kSize;
        break;
      }
    }
    CheckBound(out);
  }
}

void HttpJsonRewriter::FinishMessage(std::string& out) {
  if (hold_) {
    std::string_view block = std::string_view(raw_).substr(0, head_size_);
    std::string body = chunked_ ? http_framing::Dechunk(std::string_view(raw_).substr(head_size_))
                                : raw_.substr(head_size_);
    bool rewritten = false;
    if (FindNestingDeeperThan(body, kMaxJsonDepth) == std::string_view::npos) {
      Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
      if (!j.is_discarded() && RewriteJsonRecords(*config_, j)) {
        std::string text;
        try {
          text = j.dump();
        } catch (const Json::exception&) {  // invalid UTF-8 in a string
          text.clear();
        }
        if (!text.empty()) {
          out += http_framing::RewriteHead(block, text.size());
          out += text;
          rewritten = true;
        }
      }
    }
    if (rewritten) {
      ++stats_.rewritten;
    } else {
      ++stats_.unchanged;
      out.append(raw_);
    }
    raw_.clear();
    hold_ = false;
  }
  state_ = raw_after_ ? State::kRaw : State::kHead;
}

}  // namespace chaosrun::proxy
