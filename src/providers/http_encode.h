// Pure helpers of the `http` provider (ctk-spec §4.3): URL/query/form encoding as Python
// requests does it, response header collection, the content-type rule, and parsing of the
// provider's `timeout` and `expected_status` fields. No I/O; unit tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace chaosrun::providers {

// Python's urllib.parse.quote_plus on the UTF-8 bytes of `s`: letters, digits and "_.-~" stay,
// space becomes '+', every other byte %XX (upper-case hex).
std::string QuotePlus(std::string_view s);

// requests' encoding of `params=` / `data=`: an object becomes k=v&k=v (keys and values
// stringified like Python's str(), list values repeat the key, null values are skipped); an
// array of [key, value] pairs likewise; a string is returned unchanged; null gives "".
Result<std::string> EncodeParams(const Json& args);

// Appends an encoded query to `url` (before any #fragment), after '&' if it already has a query.
std::string AppendQuery(const std::string& url, const std::string& query);

// The response headers of the final response, fed line by line from curl's header callback
// (status lines included: each one starts a new response, e.g. after a redirect or a 100).
class ResponseHeaders {
 public:
  void Feed(std::string_view line);
  // {name as sent by the server: value}; repeated names (case-insensitive) are joined with ", "
  // under the first spelling, as Python's HTTP header dict does. Values decoded as latin-1.
  Json ToJson() const;
  // Case-insensitive lookup (joined value if repeated).
  std::optional<std::string> Get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// The reference parses the body as JSON only when Content-Type is exactly "application/json".
bool IsExactJsonContentType(const std::optional<std::string>& content_type);

struct HttpTimeout {
  std::optional<double> total;    // a plain number: the whole transfer
  std::optional<double> connect;  // [connect, read]
  std::optional<double> read;     // longest gap without receiving a byte
};
// `timeout`: absent/null, a number, or [connect, read] (either may be null).
Result<HttpTimeout> ParseHttpTimeout(const Json& provider);

// `expected_status`: absent/null → nullopt; an integer or a list of integers.
Result<std::optional<std::vector<long>>> ParseExpectedStatus(const Json& provider);

// Request header lines "Name: value" from the provider's `headers` object (null values are
// omitted, as requests does; numbers stringified). Names or values with CR/LF are rejected.
Result<std::vector<std::string>> BuildRequestHeaders(const Json& headers);

}  // namespace chaosrun::providers
