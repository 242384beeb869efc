// A small blocking HTTP client over libcurl for the proxy API and the reload URLs: bounded
// (connect and total timeouts, a 1 MiB answer cap), no proxy from the environment (every target
// is given explicitly), no signals (CURLOPT_NOSIGNAL: safe in a multi-threaded host). Thread-safe:
// each call uses its own easy handle; curl_global_init runs once, under std::call_once.
#pragma once

#include <string>

namespace chaosrun_ml {

struct HttpAnswer {
  std::string error;  // transport failure ("" when an HTTP answer came)
  long status = 0;
  std::string body;
  bool Ok() const { return error.empty() && status >= 200 && status < 300; }
  // "HTTP 404: <body start>" or the transport error.
  std::string Describe() const;
};

// `body` is sent as application/json when not empty (and for POST). `bearer` "" = no
// Authorization header. `timeout_ms` bounds the whole exchange.
HttpAnswer HttpCall(const std::string& method, const std::string& url, const std::string& body,
                    const std::string& bearer, long timeout_ms = 5000);

}  // namespace chaosrun_ml
