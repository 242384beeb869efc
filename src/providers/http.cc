// The `http` provider (ctk-spec §4.3).
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/log.h"
#include "providers/http_encode.h"
#include "providers/http_transfer.h"
#include "providers/provider.h"
#include "providers/text.h"

namespace chaosrun::providers {

namespace {

const Json& Field(const Json& obj, const char* key) {
  static const Json kNull = nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string StatusList(const std::vector<long>& codes) {
  if (codes.size() == 1) return std::to_string(codes[0]);
  std::string out = "one of [";
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(codes[i]);
  }
  return out + "]";
}

bool HasHeaderNamed(const Json& headers, std::string_view name) {
  if (!headers.is_object()) return false;
  for (const auto& [k, v] : headers.items()) {
    if (v.is_null() || k.size() != name.size()) continue;
    if (std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

// Fills `rq` from the provider block; a message on a malformed field.
std::optional<std::string> BuildRequest(const Json& provider, HttpRequest* rq) {
  const Json& url = Field(provider, "url");
  if (!url.is_string() || url.get_ref<const std::string&>().empty()) {
    return "an http activity must have a url (a non-empty string)";
  }
  const Json& method = Field(provider, "method");
  if (!method.is_null() && !method.is_string()) return "http provider 'method' must be a string";
  rq->method = method.is_string() ? method.get<std::string>() : "GET";
  std::transform(rq->method.begin(), rq->method.end(), rq->method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (rq->method.empty() || rq->method.find_first_of(" \t\r\n") != std::string::npos) {
    return "http provider 'method' is not a valid HTTP method";
  }
  const Json& headers = Field(provider, "headers");
  auto lines = BuildRequestHeaders(headers);
  if (!lines) return lines.error().message();
  rq->headers = std::move(*lines);

  const Json& args = Field(provider, "arguments");
  rq->url = url.get<std::string>();
  if (rq->method == "GET") {
    auto query = EncodeParams(args);
    if (!query) return query.error().message();
    rq->url = AppendQuery(rq->url, *query);
  } else if (headers.is_object() && Field(headers, "Content-Type").is_string() &&
             Field(headers, "Content-Type").get_ref<const std::string&>() == "application/json") {
    if (!args.is_null()) rq->body = DumpCompact(args);
  } else if (!args.is_null()) {
    auto body = EncodeParams(args);
    if (!body) return body.error().message();
    rq->body = std::move(*body);
    // A form dict gets curl's x-www-form-urlencoded; a raw string, like requests, none.
    rq->suppress_content_type = args.is_string() && !HasHeaderNamed(headers, "Content-Type");
  } else {
    rq->suppress_content_type = !HasHeaderNamed(headers, "Content-Type");
  }

  auto timeout = ParseHttpTimeout(provider);
  if (!timeout) return timeout.error().message();
  rq->timeout = *timeout;

  const Json& verify = Field(provider, "verify_tls");
  if (verify.is_string()) {  // requests: a path to a CA bundle
    rq->ca_file = verify.get<std::string>();
  } else {
    rq->verify_tls = verify.is_null() || Truthy(verify);
  }
  if (rq->verify_tls && rq->ca_file.empty()) {
    for (const char* env : {"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}) {
      const char* v = std::getenv(env);
      if (v && *v) {
        rq->ca_file = v;
        break;
      }
    }
  }
  const Json& retries = Field(provider, "max_retries");
  if (!retries.is_null()) {
    if (!retries.is_number_integer() || retries.get<long>() < 0) {
      return "http provider 'max_retries' must be a non-negative integer";
    }
    rq->max_retries = std::min(retries.get<long>(), 100L);
  }
  return std::nullopt;
}

Json ParseBody(const HttpResult& r, const std::string& url) {
  if (IsExactJsonContentType(r.headers.Get("Content-Type"))) {
    Json parsed = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) return parsed;
    log::Warn(
        "http provider: the response of {} says application/json but is not valid JSON; "
        "keeping it as text",
        url);
  }
  return DecodeUtf8Lossy(r.body);
}

}  // namespace

Outcome RunHttp(const Json& provider, const Context& ctx) {
  if (!provider.is_object()) return Outcome::Failed("http provider must be an object");
  HttpRequest rq;
  if (auto bad = BuildRequest(provider, &rq)) return Outcome::Failed(*bad);
  auto expected = ParseExpectedStatus(provider);
  if (!expected) return Outcome::Failed(expected.error().message());
  if (ctx.cancel.cancelled()) return Outcome::Interrupted();

  const std::string& url = provider["url"].get_ref<const std::string&>();
  HttpResult r = PerformHttp(rq, ctx.cancel);
  switch (r.error) {
    case HttpResult::Error::kNone:
      break;
    case HttpResult::Error::kCancelled:
      return Outcome::Interrupted();
    case HttpResult::Error::kTimeout:
      return Outcome::Failed("activity took too long to complete");
    case HttpResult::Error::kConnect: {
      std::string msg = "failed to connect to " + url + ": " + r.message;
      if (r.attempts > 1) msg += " (" + std::to_string(r.attempts) + " attempts)";
      return Outcome::Failed(std::move(msg));
    }
    case HttpResult::Error::kTooLarge:
      return Outcome::Failed("the response of " + url + " exceeds " +
                             std::to_string(rq.max_body >> 20) + " MiB");
    case HttpResult::Error::kInvalidUrl:
      return Outcome::Failed("invalid url '" + url + "': " + r.message);
    case HttpResult::Error::kOther:
      return Outcome::Failed("http request to " + url + " failed: " + r.message);
  }
  if (*expected &&
      std::find((*expected)->begin(), (*expected)->end(), r.status) == (*expected)->end()) {
    return Outcome::Failed("unexpected HTTP status " + std::to_string(r.status) + " from " + url +
                           ", expected " + StatusList(**expected));
  }
  Json output = Json::object();
  output["status"] = r.status;
  output["headers"] = r.headers.ToJson();
  output["body"] = ParseBody(r, url);
  return Outcome::Succeeded(std::move(output));
}

}  // namespace chaosrun::providers
