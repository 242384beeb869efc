// One HTTP exchange on libcurl, for the `http` provider. The easy handle is driven by a private
// multi handle so that the wait (curl_multi_poll) also watches the cancellation eventfd: a
// cancelled run stops at once, and the read timeout (longest gap without a received byte) is
// checked by our own clock rather than curl's once-a-second progress ticks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/cancel.h"
#include "providers/http_encode.h"

namespace chaosrun::providers {

inline constexpr size_t kDefaultMaxBody = size_t{64} << 20;

struct HttpRequest {
  std::string url;                     // query already appended
  std::string method;                  // upper case
  std::vector<std::string> headers;    // "Name: value" lines
  std::optional<std::string> body;     // nullopt: none (Content-Length: 0 unless GET/HEAD)
  bool suppress_content_type = false;  // don't let curl add a form Content-Type
  HttpTimeout timeout;
  bool verify_tls = true;
  std::string ca_file;  // empty: the system's
  // Extra attempts (urllib3's Retry(total=N), no backoff): after a failure to connect, and, for
  // GET, HEAD, PUT, DELETE, OPTIONS and TRACE, after a connection closed, reset or timed out
  // before any response header arrived.
  long max_retries = 0;
  size_t max_body = kDefaultMaxBody;
};

struct HttpResult {
  enum class Error { kNone, kConnect, kTimeout, kCancelled, kTooLarge, kInvalidUrl, kOther };
  Error error = Error::kNone;
  std::string message;  // curl's description when error != kNone
  int attempts = 0;
  long status = 0;
  ResponseHeaders headers;
  std::string body;  // raw bytes (content-encoding already decoded)
};

// Never throws. Safe to call from several threads at once.
HttpResult PerformHttp(const HttpRequest& request, const CancelToken& cancel);

}  // namespace chaosrun::providers
