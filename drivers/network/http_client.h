// A small blocking HTTP/1.1 client for the proxy API: one request per connection
// ("Connection: close"), a deadline over the whole exchange (connect, send, receive), bodies
// framed by Content-Length, chunked encoding or the end of the connection. Plain http only.
// Thread-compatible: every call is independent. Never throws.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "network/url.h"

namespace chaosrun::drivers::network {

struct HttpResponse {
  bool ok = false;    // false: no HTTP response (`error` says why: refused, timeout, ...)
  std::string error;  // transport error for a person
  int status = 0;
  std::string body;
};

struct HttpOptions {
  std::chrono::milliseconds timeout{5000};  // the whole exchange
  std::function<bool()> cancelled;          // may be empty; polled every 100 ms
  size_t max_body = 4 << 20;                // larger responses are an error
  std::string bearer_token;                 // "Authorization: Bearer <it>" when not empty
};

// Sends METHOD BASE+PATH to `url` with `body` (sent as application/json when not empty).
HttpResponse HttpRequest(const Url& url, const std::string& method, const std::string& path,
                         const std::string& body, const HttpOptions& options);

// Parses a complete response (status line, headers, body); for tests and for HttpRequest.
// Returns false when `raw` is not a complete HTTP/1.x response.
bool ParseHttpResponse(const std::string& raw, bool connection_closed, HttpResponse* out);

}  // namespace chaosrun::drivers::network
