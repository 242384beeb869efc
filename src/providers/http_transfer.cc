#include "providers/http_transfer.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "common/version.h"
#include "providers/curl_api.h"

namespace chaosrun::providers {

namespace {

using Clock = std::chrono::steady_clock;

// Set by PerformHttp before any other function here runs (LoadCurl succeeded).
const CurlApi& Api() {
  static const CurlApi* api = LoadCurl(nullptr);
  return *api;
}

// Typed wrappers around the variadic curl_easy_setopt, so every call passes the exact type
// libcurl reads for the option.
CURLcode SetLong(CURL* h, CURLoption o, long v) { return Api().easy_setopt(h, o, v); }
CURLcode SetOff(CURL* h, CURLoption o, curl_off_t v) { return Api().easy_setopt(h, o, v); }
CURLcode SetStr(CURL* h, CURLoption o, const char* v) { return Api().easy_setopt(h, o, v); }
CURLcode SetPtr(CURL* h, CURLoption o, void* v) { return Api().easy_setopt(h, o, v); }
template <typename Fn>
CURLcode SetFn(CURL* h, CURLoption o, Fn* fn) {
  return Api().easy_setopt(h, o, fn);
}

long Millis(double seconds) {
  return std::max(1L, static_cast<long>(std::llround(std::min(seconds, 1e9) * 1000)));
}

struct EasyDeleter {
  void operator()(CURL* h) const { Api().easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { Api().multi_cleanup(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { Api().slist_free_all(l); }
};

// State shared with the callbacks of one attempt.
struct Transfer {
  const CancelToken* cancel = nullptr;
  size_t max_body = 0;
  HttpResult* result = nullptr;
  bool too_large = false;
  bool started = false;   // the request is about to be sent: the read clock runs
  bool answered = false;  // a response header line arrived
  Clock::time_point last_activity{};
  curl_off_t last_dl = 0;
  curl_off_t last_ul = 0;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  t->last_activity = Clock::now();
  if (t->result->body.size() + bytes > t->max_body) {
    t->too_large = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  t->result->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  t->last_activity = Clock::now();
  t->answered = true;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  t->result->headers.Feed(line);
  return bytes;
}

int OnProgress(void* user, curl_off_t /*dltotal*/, curl_off_t dlnow, curl_off_t /*ultotal*/,
               curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel->cancelled()) return 1;  // CURLE_ABORTED_BY_CALLBACK
  if (dlnow != t->last_dl || ulnow != t->last_ul) {
    t->last_dl = dlnow;
    t->last_ul = ulnow;
    t->last_activity = Clock::now();
  }
  return 0;
}

int OnPrereq(void* user, char* /*conn_primary_ip*/, char* /*conn_local_ip*/,
             int /*conn_primary_port*/, int /*conn_local_port*/) {
  auto* t = static_cast<Transfer*>(user);
  t->started = true;
  t->last_activity = Clock::now();
  return CURL_PREREQFUNC_OK;
}

// Options that do not change between attempts. Returns false if libcurl refused one.
bool Configure(CURL* h, const HttpRequest& rq, curl_slist* headers, char* errbuf) {
  bool ok = true;
  const auto check = [&](CURLcode c) { ok = ok && c == CURLE_OK; };
  check(SetPtr(h, CURLOPT_ERRORBUFFER, errbuf));
  check(SetStr(h, CURLOPT_URL, rq.url.c_str()));
  check(SetStr(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  check(SetStr(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
  check(SetLong(h, CURLOPT_NOSIGNAL, 1));
  check(SetLong(h, CURLOPT_FOLLOWLOCATION, 1));  // requests follows redirects by default
  check(SetLong(h, CURLOPT_MAXREDIRS, 30));
  check(SetLong(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1));
  check(SetStr(h, CURLOPT_ACCEPT_ENCODING, ""));  // all decoders curl has; body decoded
  check(SetStr(h, CURLOPT_USERAGENT, (std::string("chaosrun/") + kVersion).c_str()));
  check(SetPtr(h, CURLOPT_HTTPHEADER, headers));
  check(SetOff(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(rq.max_body)));
  if (rq.method == "HEAD") {
    check(SetLong(h, CURLOPT_NOBODY, 1));
  } else if (rq.method != "GET" || rq.body) {
    const std::string& body = rq.body ? *rq.body : std::string();
    check(SetOff(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())));
    check(SetStr(h, CURLOPT_COPYPOSTFIELDS, body.c_str()));
    if (rq.method != "POST") check(SetStr(h, CURLOPT_CUSTOMREQUEST, rq.method.c_str()));
  }
  if (rq.timeout.total) check(SetLong(h, CURLOPT_TIMEOUT_MS, Millis(*rq.timeout.total)));
  if (rq.timeout.total) check(SetLong(h, CURLOPT_CONNECTTIMEOUT_MS, Millis(*rq.timeout.total)));
  if (rq.timeout.connect) check(SetLong(h, CURLOPT_CONNECTTIMEOUT_MS, Millis(*rq.timeout.connect)));
  if (!rq.verify_tls) {
    check(SetLong(h, CURLOPT_SSL_VERIFYPEER, 0));
    check(SetLong(h, CURLOPT_SSL_VERIFYHOST, 0));
  } else if (!rq.ca_file.empty()) {
    check(SetStr(h, CURLOPT_CAINFO, rq.ca_file.c_str()));
  }
  // requests honours HTTP_PROXY in upper case for http:// URLs; libcurl only reads http_proxy.
  const char* lower = std::getenv("http_proxy");
  const char* upper = std::getenv("HTTP_PROXY");
  if (!lower && upper && *upper && rq.url.starts_with("http://")) {
    check(SetStr(h, CURLOPT_PROXY, upper));
  }
  check(SetFn(h, CURLOPT_WRITEFUNCTION, &OnBody));
  check(SetFn(h, CURLOPT_HEADERFUNCTION, &OnHeader));
  check(SetFn(h, CURLOPT_XFERINFOFUNCTION, &OnProgress));
  check(SetFn(h, CURLOPT_PREREQFUNCTION, &OnPrereq));
  check(SetLong(h, CURLOPT_NOPROGRESS, 0));
  return ok;
}

bool IsConnectError(CURLcode c) {
  return c == CURLE_COULDNT_CONNECT || c == CURLE_COULDNT_RESOLVE_HOST ||
         c == CURLE_COULDNT_RESOLVE_PROXY;
}

// urllib3's Retry allows read retries (a connection closed or reset before any response, a read
// timeout) only for these methods; a POST or PATCH that was sent is never sent twice.
bool IsIdempotent(const std::string& method) {
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    if (method == m) return true;
  }
  return false;
}

// An attempt that failed after the request was sent and before any response arrived: the
// server closed or reset the connection, or nothing came within the read timeout.
bool IsUnansweredError(CURLcode c, bool answered) {
  if (answered) return false;  // the response started: requests reads the rest outside Retry
  return c == CURLE_GOT_NOTHING || c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR ||
         c == CURLE_OPERATION_TIMEDOUT;
}

// Runs one attempt to completion, cancellation or read timeout.
CURLcode RunAttempt(CURLM* multi, CURL* easy, Transfer* t, const HttpRequest& rq,
                    bool* read_timed_out) {
  if (Api().multi_add_handle(multi, easy) != CURLM_OK) return CURLE_FAILED_INIT;
  const std::chrono::nanoseconds read_limit =
      rq.timeout.read
          ? std::chrono::nanoseconds(static_cast<int64_t>(std::min(*rq.timeout.read, 1e9) * 1e9))
          : std::chrono::nanoseconds::zero();
  CURLcode code = CURLE_OK;
  for (;;) {
    int running = 0;
    if (Api().multi_perform(multi, &running) != CURLM_OK) {
      code = CURLE_FAILED_INIT;
      break;
    }
    if (running == 0) {
      int left = 0;
      code = CURLE_GOT_NOTHING;
      while (CURLMsg* msg = Api().multi_info_read(multi, &left)) {
        if (msg->msg == CURLMSG_DONE) code = msg->data.result;
      }
      break;
    }
    if (t->cancel->cancelled()) {
      code = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    int wait_ms = 1000;
    if (t->started && rq.timeout.read) {
      const auto idle = Clock::now() - t->last_activity;
      if (idle >= read_limit) {
        *read_timed_out = true;
        code = CURLE_OPERATION_TIMEDOUT;
        break;
      }
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(read_limit - idle);
      wait_ms = static_cast<int>(std::min<int64_t>(wait_ms, left.count()));
    }
    curl_waitfd extra{t->cancel->fd(), CURL_WAIT_POLLIN, 0};
    const unsigned n_extra = extra.fd >= 0 ? 1 : 0;
    if (Api().multi_poll(multi, n_extra ? &extra : nullptr, n_extra, wait_ms, nullptr) !=
        CURLM_OK) {
      code = CURLE_FAILED_INIT;
      break;
    }
  }
  Api().multi_remove_handle(multi, easy);
  return code;
}

}  // namespace

HttpResult PerformHttp(const HttpRequest& rq, const CancelToken& cancel) {
  HttpResult result;
  if (std::string why; LoadCurl(&why) == nullptr) {
    result.error = HttpResult::Error::kOther;
    result.message = why;
    return result;
  }
  const auto fail = [&](HttpResult::Error e, std::string m) {
    result.error = e;
    result.message = std::move(m);
    return std::move(result);
  };
  std::unique_ptr<CURL, EasyDeleter> easy(Api().easy_init());
  std::unique_ptr<CURLM, MultiDeleter> multi(Api().multi_init());
  if (!easy || !multi) return fail(HttpResult::Error::kOther, "cannot initialise libcurl");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  std::vector<std::string> lines = rq.headers;
  lines.emplace_back("Expect:");  // no 100-continue round trip for large bodies
  if (rq.suppress_content_type) lines.emplace_back("Content-Type:");
  for (const std::string& line : lines) {
    curl_slist* next = Api().slist_append(headers.get(), line.c_str());
    if (!next) return fail(HttpResult::Error::kOther, "out of memory");
    (void)headers.release();
    headers.reset(next);
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  if (!Configure(easy.get(), rq, headers.get(), errbuf)) {
    return fail(HttpResult::Error::kOther,
                std::string("libcurl refused an option: ") + (errbuf[0] ? errbuf : "?"));
  }
  Transfer t;
  t.cancel = &cancel;
  t.max_body = rq.max_body;
  t.result = &result;
  for (CURLoption o :
       {CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_XFERINFODATA, CURLOPT_PREREQDATA}) {
    if (SetPtr(easy.get(), o, &t) != CURLE_OK) {
      return fail(HttpResult::Error::kOther, "libcurl refused a callback");
    }
  }
  CURLcode code = CURLE_OK;
  bool read_timed_out = false;
  for (long attempt = 0; attempt <= std::max(0L, rq.max_retries); ++attempt) {
    errbuf[0] = '\0';
    read_timed_out = false;
    result.body.clear();
    result.headers = ResponseHeaders();
    t.started = false;
    t.answered = false;
    t.too_large = false;
    t.last_dl = t.last_ul = 0;
    ++result.attempts;
    code = RunAttempt(multi.get(), easy.get(), &t, rq, &read_timed_out);
    curl_off_t connect_us = 0;
    Api().easy_getinfo(easy.get(), CURLINFO_CONNECT_TIME_T, &connect_us);
    const bool not_connected = connect_us == 0 && !t.started;
    const bool connect_failure =
        IsConnectError(code) || (code == CURLE_OPERATION_TIMEDOUT && not_connected);
    const bool retryable =
        connect_failure || (IsIdempotent(rq.method) && IsUnansweredError(code, t.answered));
    if (!retryable || cancel.cancelled() || t.too_large) break;
  }
  const std::string detail = errbuf[0] ? errbuf : Api().easy_strerror(code);
  if (cancel.cancelled() && code != CURLE_OK) return fail(HttpResult::Error::kCancelled, "");
  if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return fail(HttpResult::Error::kTooLarge, detail);
  }
  switch (code) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      Api().easy_getinfo(easy.get(), CURLINFO_CONNECT_TIME_T, &connect_us);
      if (!read_timed_out && connect_us == 0 && !t.started) {
        return fail(HttpResult::Error::kConnect, detail);
      }
      return fail(HttpResult::Error::kTimeout, detail);
    }
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return fail(HttpResult::Error::kInvalidUrl, detail);
    case CURLE_FAILED_INIT:
      return fail(HttpResult::Error::kOther, detail);
    default:  // every transport error is a ConnectionError for requests
      return fail(HttpResult::Error::kConnect, detail);
  }
  Api().easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

}  // namespace chaosrun::providers
